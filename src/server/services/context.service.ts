/**
 * @module Contexts (CircleCI v2 `/context`): organisation-level sets of encrypted variables, with
 * restrictions to security groups and projects. No endpoint returns a value.
 */
import { contextVarOwner, type SecretKeys } from '../../secrets/index.js';
import { AppError, errors } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { nowIso } from '../../shared/time.js';
import type { ContextTable, Repositories } from '../../store/index.js';
import type { UserPrincipal } from '../http/principal.js';
import { presentContext, presentContextVar, presentRestriction } from '../presenters/context.presenter.js';
import { auditRequest, orgScope, userActor, withAudit, type RequestInfo } from './auth.service.js';
import { checkVariable, requireKeys } from './envvar.service.js';

export const MAX_CONTEXT_VARS = 100;
const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,199}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ContextService {
  constructor(private readonly deps: { repos: Repositories; keys?: SecretKeys }) {}

  /** A context of the caller's organisation, or 404 (another organisation's context is not revealed). */
  async require(principal: UserPrincipal, id: string): Promise<ContextTable> {
    const context = UUID.test(id) ? await this.deps.repos.contexts.getById(id) : undefined;
    if (!context || context.org_id !== principal.orgId) throw errors.notFound('Context');
    return context;
  }

  async list(principal: UserPrincipal, ownerId?: string) {
    if (ownerId !== undefined && ownerId !== principal.orgId) return [];
    return (await this.deps.repos.contexts.listByOrg(principal.orgId)).map(presentContext);
  }

  async create(principal: UserPrincipal, input: { name: string; owner?: { id?: string; type?: string }; info: RequestInfo }) {
    if (input.owner?.id !== undefined && input.owner.id !== principal.orgId) throw errors.notFound('Organization');
    if (input.owner?.type !== undefined && !['organization', 'account'].includes(input.owner.type)) {
      throw new AppError('validation_failed', 'owner.type must be "organization"');
    }
    if (!CONTEXT_NAME.test(input.name)) throw new AppError('validation_failed', 'Context names are 1-200 characters: letters, digits, space, ".", "_" or "-"');
    if (await this.deps.repos.contexts.getByName(principal.orgId, input.name)) throw new AppError('conflict', `Context ${input.name} already exists`);
    const context: ContextTable = { id: newId(), org_id: principal.orgId, name: input.name, created_at: nowIso() };
    await withAudit(this.deps.repos, async (trx) => {
      await trx.contexts.create(context);
      return { result: undefined, events: [{
        action: 'context.create', actor: userActor(principal), target: { id: context.id, type: 'context', name: context.name }, scope: orgScope(principal.orgId),
        success: true, request: auditRequest(input.info), payload: { context_name: context.name },
      }] };
    });
    return presentContext(context);
  }

  async get(principal: UserPrincipal, id: string) {
    return presentContext(await this.require(principal, id));
  }

  async delete(principal: UserPrincipal, id: string, info: RequestInfo): Promise<void> {
    const context = await this.require(principal, id);
    await withAudit(this.deps.repos, async (trx) => {
      await trx.contexts.delete(context.id);
      return { result: undefined, events: [{
        action: 'context.delete', actor: userActor(principal), target: { id: context.id, type: 'context', name: context.name }, scope: orgScope(principal.orgId),
        success: true, request: auditRequest(info), payload: { context_name: context.name },
      }] };
    });
  }

  async listVars(principal: UserPrincipal, id: string) {
    const context = await this.require(principal, id);
    return (await this.deps.repos.contexts.listVars(context.id)).map(presentContextVar);
  }

  async setVar(principal: UserPrincipal, input: { id: string; name: string; value: string; info: RequestInfo }) {
    const keys = requireKeys(this.deps.keys);
    const context = await this.require(principal, input.id);
    checkVariable(input.name, input.value);
    const now = nowIso();
    const base = { context_id: context.id, org_id: context.org_id, name: input.name, created_at: now, updated_at: now };
    const row = { ...base, ciphertext: keys.encrypt(input.value, contextVarOwner(base)) };
    const stored = await withAudit(this.deps.repos, async (trx) => {
      const exists = await trx.contexts.getVar(context.id, input.name);
      if (!exists && (await trx.contexts.countVars(context.id)) >= MAX_CONTEXT_VARS) {
        throw new AppError('validation_failed', `A context holds at most ${MAX_CONTEXT_VARS} variables`);
      }
      const { replaced, row: saved } = await trx.contexts.upsertVar(row);
      return { result: saved, events: [{
        action: 'context.env_var.store', actor: userActor(principal), target: { id: context.id, type: 'context', name: context.name }, scope: orgScope(principal.orgId),
        success: true, request: auditRequest(input.info), payload: { context_name: context.name, env_var_name: input.name, replaced },
      }] };
    });
    return presentContextVar(stored);
  }

  async deleteVar(principal: UserPrincipal, input: { id: string; name: string; info: RequestInfo }): Promise<void> {
    const context = await this.require(principal, input.id);
    await withAudit(this.deps.repos, async (trx) => {
      if (!(await trx.contexts.deleteVar(context.id, input.name))) throw errors.notFound(`Environment variable ${input.name}`);
      return { result: undefined, events: [{
        action: 'context.env_var.delete', actor: userActor(principal), target: { id: context.id, type: 'context', name: context.name }, scope: orgScope(principal.orgId),
        success: true, request: auditRequest(input.info), payload: { context_name: context.name, env_var_name: input.name },
      }] };
    });
  }

  async listRestrictions(principal: UserPrincipal, id: string) {
    const context = await this.require(principal, id);
    return (await this.deps.repos.contexts.listRestrictions(context.id)).map(presentRestriction);
  }

  /** Adds a `project` (project id) or `group` (group id) restriction; anything else is refused. */
  async addRestriction(principal: UserPrincipal, input: { id: string; type: string; value: string }) {
    const context = await this.require(principal, input.id);
    if (input.type === 'project') {
      const project = await this.deps.repos.projects.getById(input.value);
      if (!project || project.org_id !== principal.orgId) throw errors.notFound('Project');
    } else if (input.type === 'group') {
      const group = await this.deps.repos.groups.getById(input.value);
      if (!group || group.org_id !== principal.orgId) throw errors.notFound('Group');
    } else {
      throw new AppError('validation_failed', 'restriction_type must be "project" or "group"');
    }
    const row = await this.deps.repos.contexts.addRestriction({ id: newId(), context_id: context.id, restriction_type: input.type, restriction_value: input.value, created_at: nowIso() });
    return presentRestriction(row);
  }

  async deleteRestriction(principal: UserPrincipal, input: { id: string; restrictionId: string }): Promise<void> {
    const context = await this.require(principal, input.id);
    if (!(await this.deps.repos.contexts.deleteRestriction(context.id, input.restrictionId))) throw errors.notFound('Restriction');
  }
}
