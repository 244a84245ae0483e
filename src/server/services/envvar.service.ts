/**
 * @module Project environment variables (CircleCI v2 `/project/{slug}/envvar`). Values are
 * encrypted on arrival and never returned: listings show `xxxx` plus the last four characters
 * only for values of 16 characters or more. Also the project's secret-related settings.
 */
import { maskedDisplay, projectVarOwner, type SecretKeys } from '../../secrets/index.js';
import { AppError, errors } from '../../shared/errors.js';
import { nowIso } from '../../shared/time.js';
import type { ProjectEnvVarTable, Repositories } from '../../store/index.js';
import type { UserPrincipal } from '../http/principal.js';
import { presentEnvVar, type EnvVarView } from '../presenters/envvar.presenter.js';
import { auditRequest, orgScope, userActor, withAudit, type RequestInfo } from './auth.service.js';
import type { ProjectService } from './project.service.js';

export const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_NAME_LENGTH = 200;
export const MAX_VALUE_BYTES = 32 * 1024;

/** Validates a variable name and value (shared with contexts). */
export function checkVariable(name: string, value?: string): void {
  if (name.length > MAX_NAME_LENGTH || !VAR_NAME.test(name)) {
    throw new AppError('validation_failed', `Variable names must match [A-Za-z_][A-Za-z0-9_]* and be at most ${MAX_NAME_LENGTH} characters`);
  }
  if (value !== undefined && Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
    throw new AppError('validation_failed', `Variable values must be at most ${MAX_VALUE_BYTES / 1024} KiB`);
  }
}

/** The key ring, or 503 when the server runs without one (never store plaintext instead). */
export function requireKeys(keys: SecretKeys | undefined): SecretKeys {
  if (!keys) throw new AppError('unavailable', 'The secrets key ring is not loaded; secrets cannot be stored or read');
  return keys;
}

export class EnvVarService {
  constructor(private readonly deps: { repos: Repositories; projects: ProjectService; keys?: SecretKeys }) {}

  async list(principal: UserPrincipal, slug: string): Promise<EnvVarView[]> {
    const project = await this.deps.projects.getForUser(principal, slug);
    const rows = await this.deps.repos.envVars.listByProject(project.id);
    return Promise.all(rows.map(async (row) => presentEnvVar(row, await this.display(row))));
  }

  async get(principal: UserPrincipal, slug: string, name: string): Promise<EnvVarView> {
    const project = await this.deps.projects.getForUser(principal, slug);
    const row = await this.deps.repos.envVars.get(project.id, name);
    if (!row) throw errors.notFound(`Environment variable ${name}`);
    return presentEnvVar(row, await this.display(row));
  }

  async set(principal: UserPrincipal, input: { slug: string; name: string; value: string; info: RequestInfo }): Promise<EnvVarView> {
    const keys = requireKeys(this.deps.keys);
    const project = await this.deps.projects.getForUser(principal, input.slug);
    checkVariable(input.name, input.value);
    const now = nowIso();
    const row: ProjectEnvVarTable = { project_id: project.id, org_id: project.org_id, name: input.name, ciphertext: '', created_at: now, updated_at: now };
    row.ciphertext = keys.encrypt(input.value, projectVarOwner(row));
    const stored = await withAudit(this.deps.repos, async (trx) => {
      const existing = await trx.envVars.get(project.id, input.name);
      await trx.envVars.upsert(row);
      return { result: existing ? { ...row, created_at: existing.created_at } : row, events: [{
        action: 'project.env_var.create', actor: userActor(principal), target: { id: project.id, type: 'project', name: project.slug }, scope: orgScope(project.org_id),
        success: true, request: auditRequest(input.info), payload: { project_slug: project.slug, env_var_name: input.name },
      }] };
    });
    return presentEnvVar(stored, maskedDisplay(input.value));
  }

  async delete(principal: UserPrincipal, input: { slug: string; name: string; info: RequestInfo }): Promise<void> {
    const project = await this.deps.projects.getForUser(principal, input.slug);
    await withAudit(this.deps.repos, async (trx) => {
      if (!(await trx.envVars.delete(project.id, input.name))) throw errors.notFound(`Environment variable ${input.name}`);
      return { result: undefined, events: [{
        action: 'project.env_var.delete', actor: userActor(principal), target: { id: project.id, type: 'project', name: project.slug }, scope: orgScope(project.org_id),
        success: true, request: auditRequest(input.info), payload: { project_slug: project.slug, env_var_name: input.name },
      }] };
    });
  }

  /** The project's secret-related settings (no secret values among them). */
  async settings(principal: UserPrincipal, slug: string) {
    const project = await this.deps.projects.getForUser(principal, slug);
    const row = await this.deps.repos.projectSettings.get(project.id);
    return { fork_pr_secrets: row.fork_pr_secrets === 1, known_hosts: row.known_hosts };
  }

  async updateSettings(principal: UserPrincipal, input: { slug: string; forkPrSecrets?: boolean; knownHosts?: string; info: RequestInfo }) {
    const project = await this.deps.projects.getForUser(principal, input.slug);
    if (input.knownHosts !== undefined && (input.knownHosts.length > 64 * 1024 || input.knownHosts.includes('\u0000'))) {
      throw new AppError('validation_failed', 'known_hosts must be at most 64 KiB of text');
    }
    await withAudit(this.deps.repos, async (trx) => {
      const current = await trx.projectSettings.get(project.id);
      const changed: string[] = [];
      const next = { ...current, updated_at: nowIso() };
      if (input.forkPrSecrets !== undefined && (input.forkPrSecrets ? 1 : 0) !== current.fork_pr_secrets) { next.fork_pr_secrets = input.forkPrSecrets ? 1 : 0; changed.push('fork_pr_secrets'); }
      if (input.knownHosts !== undefined && input.knownHosts !== current.known_hosts) { next.known_hosts = input.knownHosts; changed.push('known_hosts'); }
      await trx.projectSettings.put(next);
      return { result: undefined, events: changed.length === 0 ? [] : [{
        action: 'project.settings.update', actor: userActor(principal), target: { id: project.id, type: 'project', name: project.slug }, scope: orgScope(project.org_id),
        success: true, request: auditRequest(input.info), payload: { project_slug: project.slug, changed_settings: changed },
      }] };
    });
    return this.settings(principal, input.slug);
  }

  private async display(row: ProjectEnvVarTable): Promise<string> {
    if (!this.deps.keys) return 'xxxx';
    try {
      return maskedDisplay(await this.deps.keys.decrypt(row.ciphertext, projectVarOwner(row)));
    } catch {
      return 'xxxx';
    }
  }
}
