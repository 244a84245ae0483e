/**
 * @module Sign-in and sign-out. Passwords are checked with scrypt; unknown accounts cost the same
 * scrypt work as known ones. Failed attempts are throttled per (email, IP) in the database and
 * audited as `user.logged_in` with `success: false`.
 */
import { auditWriter } from '../../audit/index.js';
import { AppError, isAppError } from '../../shared/errors.js';
import { hashToken, newId, newToken } from '../../shared/ids.js';
import { isoPlus, nowIso } from '../../shared/time.js';
import type { Repositories, UserTable } from '../../store/index.js';
import type { UserPrincipal } from '../http/principal.js';
import { LoginThrottle } from '../http/rate-limit.js';
import { SESSION_TTL_MS, csrfTokenFor } from '../http/session.js';
import { auditRequest, orgScope, userActor, withAudit, type RequestInfo } from './auth.service.js';
import { verifyPassword } from './bootstrap.service.js';
import type { TokenService } from './token.service.js';

export interface LoginResult {
  user: UserTable;
  /** Set for a browser sign-in: the cookie value (only its digest is stored). */
  sessionToken?: string;
  /** Set when a personal API token was asked for instead of a session. */
  apiToken?: string;
}

export class SessionService {
  readonly throttle: LoginThrottle;

  constructor(private readonly deps: { repos: Repositories; tokens: TokenService }) {
    this.throttle = new LoginThrottle(deps.repos);
  }

  async login(input: { email: string; password: string; wantToken: boolean; tokenName?: string; info: RequestInfo }): Promise<LoginResult> {
    const { repos } = this.deps;
    const email = input.email.trim().toLowerCase();
    const ip = input.info.ip ?? 'unknown';
    try {
      await this.throttle.check(email, ip);
    } catch (error) {
      await this.auditFailure({ email, reason: 'rate_limited', info: input.info });
      throw error;
    }
    const user = await repos.users.getByEmail(email);
    const ok = await verifyPassword(input.password, user?.password_hash ?? null);
    if (!user || !ok) {
      await this.throttle.recordFailure(email, ip);
      await this.auditFailure({ email, reason: user ? 'bad_credentials' : 'unknown_user', info: input.info, user });
      throw new AppError('unauthenticated', 'Invalid email or password');
    }
    await this.throttle.recordSuccess(email, ip);
    const principal = { userId: user.id, email: user.email };
    if (input.wantToken) {
      const created = await this.deps.tokens.createPersonal(
        { kind: 'user', userId: user.id, orgId: user.org_id, role: user.role, email: user.email, tokenId: null, scopes: ['*'] },
        { name: input.tokenName ?? `kiln login ${nowIso().slice(0, 10)}`, scopes: ['*'], info: input.info, loginEvent: true },
      );
      return { user, apiToken: created.token };
    }
    const sessionToken = newToken('kiln_sess');
    const now = nowIso();
    await withAudit(repos, async (trx) => {
      await trx.sessions.create({ id: newId(), token_hash: hashToken(sessionToken), user_id: user.id, org_id: user.org_id, created_at: now, expires_at: isoPlus(SESSION_TTL_MS), last_seen_at: now });
      return { result: undefined, events: [{
        action: 'user.logged_in', actor: userActor(principal), target: { id: user.id, type: 'user', name: user.email }, scope: orgScope(user.org_id),
        success: true, request: auditRequest(input.info), payload: { method: 'password' },
      }] };
    });
    return { user, sessionToken };
  }

  async logout(principal: UserPrincipal, sessionId: string | null, info: RequestInfo): Promise<void> {
    await withAudit(this.deps.repos, async (trx) => {
      if (sessionId) await trx.sessions.delete(sessionId);
      return { result: undefined, events: [{
        action: 'user.logged_out', actor: userActor(principal), target: { id: principal.userId, type: 'user', name: principal.email }, scope: orgScope(principal.orgId),
        success: true, request: auditRequest(info), payload: { reason: 'user' },
      }] };
    });
  }

  /** Who is signed in, plus the CSRF token for this session (cookie callers need it for writes). */
  whoami(principal: UserPrincipal, sessionToken: string | undefined) {
    return {
      id: principal.userId, login: principal.email, role: principal.role, organization_id: principal.orgId,
      authenticated_by: principal.tokenId ? 'token' : 'session',
      csrf_token: sessionToken ? csrfTokenFor(sessionToken) : null,
    };
  }

  private async auditFailure(input: { email: string; reason: 'bad_credentials' | 'unknown_user' | 'rate_limited'; info: RequestInfo; user?: UserTable }): Promise<void> {
    const { email, reason, info, user } = input;
    try {
      await auditWriter.record(this.deps.repos.store.db, {
        action: 'user.logged_in',
        actor: user ? { id: user.id, type: 'user', name: user.email } : { id: 'anonymous', type: 'anonymous', name: email.slice(0, 320) },
        target: user ? { id: user.id, type: 'user', name: user.email } : { id: 'unknown', type: 'user', name: email.slice(0, 320) },
        scope: user ? orgScope(user.org_id) : { id: 'system', type: 'system' },
        success: false, request: auditRequest(info), payload: { method: 'password', failure_reason: reason },
      });
    } catch (error) {
      // A failed audit write must not turn a denied login into a 500; the denial stands.
      if (!isAppError(error)) throw error;
    }
  }
}
