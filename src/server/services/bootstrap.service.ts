/**
 * @module First start: with an empty database, create the first organisation and its admin,
 * either from a bootstrap token (given by the operator) or through a one-time setup code that
 * the server prints and the setup endpoint/page consumes.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { AppError } from '../../shared/errors.js';
import { hashToken, newId } from '../../shared/ids.js';
import { nowIso } from '../../shared/time.js';
import type { Repositories } from '../../store/index.js';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** scrypt password hash: `scrypt$<salt b64>$<hash b64>` (N=16384, r=8, p=1). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [scheme, salt, hash] = (stored ?? 'scrypt$AAAA$AAAA').split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length || 32);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export interface BootstrapResult {
  /** Set when the database was empty and no token was given: the one-time setup code. */
  setupCode?: string;
  createdAdmin?: string;
}

export class BootstrapService {
  private setupCodeHash: string | undefined;

  constructor(private readonly repos: Repositories) {}

  async needsSetup(): Promise<boolean> {
    return (await this.repos.orgs.count()) === 0;
  }

  /** Runs at startup. */
  async bootstrap(input: { token?: string; email: string; password?: string }): Promise<BootstrapResult> {
    if (!(await this.needsSetup())) return {};
    if (input.token) {
      await this.createAdmin({ email: input.email, password: input.password, token: input.token });
      return { createdAdmin: input.email };
    }
    const code = randomBytes(9).toString('base64url');
    this.setupCodeHash = hashToken(code);
    return { setupCode: code };
  }

  /** Consumes the one-time setup code to create the first admin (setup page / endpoint). */
  async completeSetup(input: { code: string; email: string; password: string }): Promise<void> {
    if (!this.setupCodeHash || hashToken(input.code) !== this.setupCodeHash || !(await this.needsSetup())) {
      throw new AppError('forbidden', 'Invalid or already used setup code');
    }
    if (input.password.length < 12) throw new AppError('validation_failed', 'The password must be at least 12 characters');
    this.setupCodeHash = undefined;
    await this.createAdmin({ email: input.email, password: input.password });
  }

  private async createAdmin(input: { email: string; password?: string; token?: string }): Promise<void> {
    const now = nowIso();
    const orgId = newId();
    await this.repos.orgs.create({ id: orgId, name: 'Default', slug: 'default', created_at: now });
    const userId = newId();
    await this.repos.users.create({
      id: userId, org_id: orgId, email: input.email.toLowerCase(), name: input.email.split('@')[0] ?? 'admin', role: 'admin',
      password_hash: input.password ? await hashPassword(input.password) : null, created_at: now,
    });
    if (input.token) {
      await this.repos.tokens.create({ id: newId(), org_id: orgId, user_id: userId, project_id: null, name: 'bootstrap', token_hash: hashToken(input.token), scopes: '["*"]', created_at: now, last_used_at: null, revoked_at: null });
    }
  }
}
