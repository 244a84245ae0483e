/**
 * @module API tokens, personal or per project: shown once at creation, stored as SHA-256 digests,
 * scoped (`*` or `read`), revocable, with the last use recorded by the authentication hook.
 */
import type { AuditEventInput } from '../../audit/index.js';
import { AppError, errors } from '../../shared/errors.js';
import { hashToken, newId, newToken } from '../../shared/ids.js';
import { nowIso } from '../../shared/time.js';
import type { ApiTokenTable, Repositories } from '../../store/index.js';
import type { UserPrincipal } from '../http/principal.js';
import { presentToken, type TokenView } from '../presenters/token.presenter.js';
import { auditRequest, orgScope, userActor, withAudit, type RequestInfo } from './auth.service.js';
import type { ProjectService } from './project.service.js';

export const TOKEN_SCOPES = ['*', 'read'] as const;
// eslint-disable-next-line no-control-regex -- control characters are exactly what the name may not contain
const NAME = /^[^\u0000-\u001f]{1,100}$/;

export interface CreatedToken extends TokenView {
  /** The token itself: returned once, never stored. */
  token: string;
}

export class TokenService {
  constructor(private readonly deps: { repos: Repositories; projects: ProjectService }) {}

  async createPersonal(principal: UserPrincipal, input: { name: string; scopes?: string[]; info: RequestInfo; loginEvent?: boolean }): Promise<CreatedToken> {
    const scopes = checkScopes(input.scopes);
    checkName(input.name);
    const token = newToken('kiln');
    const row: ApiTokenTable = {
      id: newId(), org_id: principal.orgId, user_id: principal.userId, project_id: null, name: input.name,
      token_hash: hashToken(token), scopes: JSON.stringify(scopes), created_at: nowIso(), last_used_at: null, revoked_at: null,
    };
    await withAudit(this.deps.repos, async (trx) => {
      await trx.tokens.create(row);
      const events: AuditEventInput[] = [{
        action: 'api_token.create', actor: userActor(principal), target: { id: row.id, type: 'api_token', name: row.name }, scope: orgScope(principal.orgId),
        success: true, request: auditRequest(input.info), payload: { token_name: row.name, scopes },
      }];
      if (input.loginEvent) {
        events.unshift({
          action: 'user.logged_in', actor: userActor(principal), target: { id: principal.userId, type: 'user', name: principal.email }, scope: orgScope(principal.orgId),
          success: true, request: auditRequest(input.info), payload: { method: 'password' },
        });
      }
      return { result: undefined, events };
    });
    return { ...presentToken(row), token };
  }

  async createForProject(principal: UserPrincipal, input: { slug: string; name: string; scopes?: string[]; info: RequestInfo }): Promise<CreatedToken> {
    const project = await this.deps.projects.getForUser(principal, input.slug);
    const scopes = checkScopes(input.scopes);
    checkName(input.name);
    const token = newToken('kiln');
    const row: ApiTokenTable = {
      id: newId(), org_id: principal.orgId, user_id: principal.userId, project_id: project.id, name: input.name,
      token_hash: hashToken(token), scopes: JSON.stringify(scopes), created_at: nowIso(), last_used_at: null, revoked_at: null,
    };
    await withAudit(this.deps.repos, async (trx) => {
      await trx.tokens.create(row);
      return { result: undefined, events: [{
        action: 'project.api_token.create', actor: userActor(principal), target: { id: project.id, type: 'project', name: project.slug }, scope: orgScope(principal.orgId),
        success: true, request: auditRequest(input.info), payload: { project_slug: project.slug, token_id: row.id, token_name: row.name, scopes },
      }] };
    });
    return { ...presentToken(row, project.slug), token };
  }

  async listPersonal(principal: UserPrincipal): Promise<TokenView[]> {
    return (await this.deps.repos.tokens.listByUser(principal.userId)).filter((t) => t.project_id === null).map((t) => presentToken(t));
  }

  async listForProject(principal: UserPrincipal, slug: string): Promise<TokenView[]> {
    const project = await this.deps.projects.getForUser(principal, slug);
    return (await this.deps.repos.tokens.listByProject(project.id)).map((t) => presentToken(t, project.slug));
  }

  /** Revokes a personal token of the caller (admins: any personal token of their organisation). */
  async revokePersonal(principal: UserPrincipal, id: string, info: RequestInfo): Promise<void> {
    const row = await this.deps.repos.tokens.getById(id);
    const mine = row && row.project_id === null && row.org_id === principal.orgId && (row.user_id === principal.userId || principal.role === 'admin');
    if (!row || !mine) throw errors.notFound('Token');
    await this.revoke(principal, row, { info });
  }

  async revokeForProject(principal: UserPrincipal, input: { slug: string; id: string; info: RequestInfo }): Promise<void> {
    const project = await this.deps.projects.getForUser(principal, input.slug);
    const row = await this.deps.repos.tokens.getById(input.id);
    if (!row || row.project_id !== project.id) throw errors.notFound('Token');
    await this.revoke(principal, row, { info: input.info, projectSlug: project.slug });
  }

  private async revoke(principal: UserPrincipal, row: ApiTokenTable, input: { info: RequestInfo; projectSlug?: string }): Promise<void> {
    if (row.revoked_at) return;
    await withAudit(this.deps.repos, async (trx) => {
      await trx.tokens.revoke(row.id, nowIso());
      return { result: undefined, events: [{
        action: 'api_token.revoke', actor: userActor(principal), target: { id: row.id, type: 'api_token', name: row.name }, scope: orgScope(principal.orgId),
        success: true, request: auditRequest(input.info), payload: { token_name: row.name, ...(input.projectSlug ? { project_slug: input.projectSlug } : {}) },
      }] };
    });
  }
}

function checkScopes(scopes: string[] | undefined): string[] {
  const list = scopes && scopes.length > 0 ? [...new Set(scopes)] : ['*'];
  for (const scope of list) {
    if (!(TOKEN_SCOPES as readonly string[]).includes(scope)) throw new AppError('validation_failed', `Unknown token scope "${scope}": use "*" or "read"`);
  }
  return list.includes('*') ? ['*'] : list;
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw new AppError('validation_failed', 'Token name must be 1-100 printable characters');
}
