/** @module Users (local passwords, scrypt) and security groups of an organisation. */
import { AppError, errors } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { nowIso } from '../../shared/time.js';
import type { Repositories, Role } from '../../store/index.js';
import type { UserPrincipal } from '../http/principal.js';
import { presentUser } from '../presenters/user.presenter.js';
import { auditRequest, orgScope, userActor, withAudit, type RequestInfo } from './auth.service.js';
import { hashPassword } from './bootstrap.service.js';

const EMAIL = /^[^\s@]{1,200}@[^\s@]{1,200}$/;
export const MIN_PASSWORD_LENGTH = 12;

export class UserService {
  constructor(private readonly repos: Repositories) {}

  /** Creates a user in the caller's organisation (admins only; the route enforces it). */
  async create(principal: UserPrincipal, input: { email: string; role: Role; password: string; name?: string; info: RequestInfo }) {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw new AppError('validation_failed', 'Invalid email address');
    if (!['admin', 'member', 'viewer'].includes(input.role)) throw new AppError('validation_failed', 'Role must be admin, member or viewer');
    if (input.password.length < MIN_PASSWORD_LENGTH) throw new AppError('validation_failed', `The password must be at least ${MIN_PASSWORD_LENGTH} characters`);
    if (await this.repos.users.getByEmail(email)) throw new AppError('conflict', `A user with email ${email} already exists`);
    const user = {
      id: newId(), org_id: principal.orgId, email, name: input.name ?? email.split('@')[0] ?? email, role: input.role,
      password_hash: await hashPassword(input.password), created_at: nowIso(),
    };
    await withAudit(this.repos, async (trx) => {
      await trx.users.create(user);
      return { result: undefined, events: [{
        action: 'user.create', actor: userActor(principal), target: { id: user.id, type: 'user', name: email }, scope: orgScope(principal.orgId),
        success: true, request: auditRequest(input.info), payload: { email, role: input.role },
      }] };
    });
    return presentUser(user);
  }

  async list(principal: UserPrincipal) {
    return (await this.repos.users.listByOrg(principal.orgId)).map(presentUser);
  }

  /** A user of the caller's organisation, or 404. */
  async requireUser(principal: UserPrincipal, id: string) {
    const user = await this.repos.users.getById(id);
    if (!user || user.org_id !== principal.orgId) throw errors.notFound('User');
    return user;
  }
}
