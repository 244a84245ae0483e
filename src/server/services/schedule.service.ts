/**
 * @module Scheduled pipelines (issue #3): CircleCI's schedule API objects (timetable or cron),
 * audited in the same transaction as the change, and the legacy `triggers: schedule` of
 * configs. {@link ScheduleService.runDue} fires due schedules; the scheduler loop calls it.
 *
 * Legacy triggers are read from the config on each project's default branch: the scheduler
 * re-reads it periodically ({@link ScheduleService.syncConfigTriggers}) and keeps one
 * `kind: 'config'` row per (workflow, branch, cron); when such a row is due, the config is read
 * again, so a trigger removed since the last sync never fires.
 */
import { scheduledWorkflows, type ScheduledWorkflow } from '../../config/index.js';
import { AppError, errors } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Logger } from '../../shared/logger.js';
import { nowIso } from '../../shared/time.js';
import type { GitMirrors } from '../../scm/git-mirror.js';
import type { ProjectTable, Repositories, ScheduleTable } from '../../store/index.js';
import type { UserPrincipal } from '../http/principal.js';
import { auditRequest, orgScope, userActor, withAudit, type RequestInfo } from './auth.service.js';
import { CONFIG_PATH, type PipelineService } from './pipeline.service.js';
import type { ProjectService } from './project.service.js';
import { checkCron, checkTimetable, nextRun, timetableToCron, type Timetable } from './schedule-timetable.js';

/** The CircleCI schedule resource. */
export interface ScheduleView {
  id: string;
  name: string;
  description: string;
  timetable: Timetable | null;
  /** Kiln: the UTC cron the schedule fires on (given, or computed from the timetable). */
  cron: string;
  'project-slug': string;
  actor: { id: string; login: string; name: string };
  parameters: Record<string, unknown>;
  'created-at': string;
  'updated-at': string;
  /** Kiln: the next firing. */
  'next-run-at': string;
}

/** The fields of a create or update request (CircleCI names; `cron` is Kiln's alternative to `timetable`). */
export interface ScheduleInput {
  name?: string;
  description?: string;
  timetable?: unknown;
  cron?: string;
  'attribution-actor'?: 'current' | 'system';
  parameters?: Record<string, unknown>;
}

const SYSTEM_ACTOR = { id: 'system', login: 'system', name: 'Scheduled pipelines' };
const NAME = /^(?=.{1,200}$)[^\p{Cc}]+$/u;

function checkParameters(input: unknown): Record<string, unknown> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new AppError('validation_failed', 'parameters must be an object with "branch" or "tag"');
  const params = input as Record<string, unknown>;
  if (Object.keys(params).length > 101) throw new AppError('validation_failed', 'A schedule passes at most 100 pipeline parameters');
  for (const [name, value] of Object.entries(params)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) throw new AppError('validation_failed', `Parameter "${name}" must be a string, number or boolean`);
    if (typeof value === 'string' && value.length > 512) throw new AppError('validation_failed', `Parameter "${name}" is longer than 512 characters`);
  }
  const hasBranch = typeof params.branch === 'string' && params.branch !== '';
  const hasTag = typeof params.tag === 'string' && params.tag !== '';
  if (hasBranch === hasTag) throw new AppError('validation_failed', 'parameters must name exactly one of "branch" or "tag"');
  return params;
}

/** `{branch|tag, ...pipeline parameters}` → what a trigger takes. */
function splitParameters(json: string): { branch?: string; tag?: string; parameters: Record<string, unknown> } {
  const { branch, tag, ...parameters } = JSON.parse(json) as Record<string, unknown>;
  return { ...(typeof branch === 'string' ? { branch } : {}), ...(typeof tag === 'string' ? { tag } : {}), parameters };
}

/** A `/…/` filter entry as a whole-string regex, or the literal. */
function filterMatches(entry: unknown, value: string): boolean {
  if (typeof entry !== 'string') return false;
  if (entry.length > 2 && entry.startsWith('/') && entry.endsWith('/')) {
    try { return new RegExp(`^(?:${entry.slice(1, -1)})$`).test(value); } catch { return false; }
  }
  return entry === value;
}

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The branches a legacy trigger runs on: the literal names in `filters.branches.only`, plus the
 * default branch when a regex of `only` matches it (or there is no `only`); minus `ignore`.
 */
export function legacyTriggerBranches(trigger: ScheduledWorkflow, defaultBranch: string): string[] {
  const only = asList(trigger.branches?.only);
  const ignore = asList(trigger.branches?.ignore);
  const out = new Set<string>();
  for (const entry of only) if (typeof entry === 'string' && !(entry.startsWith('/') && entry.endsWith('/') && entry.length > 2)) out.add(entry);
  if (only.length === 0 || only.some((e) => filterMatches(e, defaultBranch))) out.add(defaultBranch);
  return [...out].filter((b) => !ignore.some((e) => filterMatches(e, b)));
}

interface ConfigTrigger { workflow: string; cron: string; branch: string; name: string }

export class ScheduleService {
  constructor(private readonly deps: { repos: Repositories; projects: ProjectService; pipelines: PipelineService; git: GitMirrors; logger: Logger }) {}

  private async present(row: ScheduleTable, project?: ProjectTable): Promise<ScheduleView> {
    const owner = project ?? (await this.deps.repos.projects.getById(row.project_id))!;
    const user = row.actor_id ? await this.deps.repos.users.getById(row.actor_id) : undefined;
    return {
      id: row.id, name: row.name, description: row.description,
      timetable: row.timetable ? (JSON.parse(row.timetable) as Timetable) : null, cron: row.cron,
      'project-slug': owner.slug,
      actor: user ? { id: user.id, login: user.email, name: user.name } : SYSTEM_ACTOR,
      parameters: JSON.parse(row.parameters) as Record<string, unknown>,
      'created-at': row.created_at, 'updated-at': row.updated_at, 'next-run-at': row.next_run_at,
    };
  }

  /** An API schedule of the caller's organisation, or 404. */
  private async require(principal: UserPrincipal, id: string): Promise<{ row: ScheduleTable; project: ProjectTable }> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.deps.repos.schedules.getById(id) : undefined;
    if (!row || row.org_id !== principal.orgId || row.kind !== 'api') throw errors.notFound('Schedule');
    return { row, project: (await this.deps.repos.projects.getById(row.project_id))! };
  }

  private static timing(input: ScheduleInput): { timetable: string | null; cron: string } {
    if (input.timetable !== undefined && input.cron !== undefined) throw new AppError('validation_failed', 'Give a timetable or a cron, not both');
    if (input.cron !== undefined) return { timetable: null, cron: checkCron(input.cron) };
    const timetable = checkTimetable(input.timetable);
    return { timetable: JSON.stringify(timetable), cron: timetableToCron(timetable) };
  }

  async create(principal: UserPrincipal, input: { slug: string; body: ScheduleInput; info?: RequestInfo }): Promise<ScheduleView> {
    const project = await this.deps.projects.getForUser(principal, input.slug);
    const body = input.body;
    if (typeof body.name !== 'string' || !NAME.test(body.name)) throw new AppError('validation_failed', 'name is required (1-200 characters)');
    if (body.timetable === undefined && body.cron === undefined) throw new AppError('validation_failed', 'timetable (or cron) is required');
    const timing = ScheduleService.timing(body);
    const parameters = checkParameters(body.parameters);
    const now = nowIso();
    const row: ScheduleTable = {
      id: newId(), org_id: project.org_id, project_id: project.id, kind: 'api', name: body.name, description: body.description ?? '',
      ...timing, actor_id: body['attribution-actor'] === 'system' ? null : principal.userId, parameters: JSON.stringify(parameters),
      workflow: null, next_run_at: nextRun(timing.cron, new Date()), last_run_at: null, created_by: principal.userId, created_at: now, updated_at: now,
    };
    await withAudit(this.deps.repos, async (trx) => {
      if (!(await trx.schedules.create(row))) throw errors.conflict(`The project already has a schedule named ${row.name}`);
      return { result: undefined, events: [{
        action: 'schedule.create', actor: userActor(principal), target: { id: row.id, type: 'schedule', name: row.name }, scope: orgScope(project.org_id),
        success: true, request: auditRequest(input.info),
        payload: { project_slug: project.slug, schedule_name: row.name, cron: row.cron, ...(typeof parameters.branch === 'string' ? { branch: parameters.branch } : {}) },
      }] };
    });
    return this.present(row, project);
  }

  async list(principal: UserPrincipal, slug: string): Promise<ScheduleView[]> {
    const project = await this.deps.projects.getForUser(principal, slug);
    return Promise.all((await this.deps.repos.schedules.listByProject(project.id, 'api')).map((row) => this.present(row, project)));
  }

  async get(principal: UserPrincipal, id: string): Promise<ScheduleView> {
    const { row, project } = await this.require(principal, id);
    return this.present(row, project);
  }

  async update(principal: UserPrincipal, input: { id: string; body: ScheduleInput; info?: RequestInfo }): Promise<ScheduleView> {
    const { row, project } = await this.require(principal, input.id);
    const body = input.body;
    const changes: Partial<ScheduleTable> = {};
    if (body.name !== undefined && body.name !== row.name) {
      if (!NAME.test(body.name)) throw new AppError('validation_failed', 'name is 1-200 characters');
      changes.name = body.name;
    }
    if (body.description !== undefined && body.description !== row.description) changes.description = body.description;
    if (body.timetable !== undefined || body.cron !== undefined) {
      const timing = ScheduleService.timing(body);
      if (timing.cron !== row.cron || timing.timetable !== row.timetable) Object.assign(changes, timing, { next_run_at: nextRun(timing.cron, new Date()) });
    }
    if (body['attribution-actor'] !== undefined) {
      const actor = body['attribution-actor'] === 'system' ? null : principal.userId;
      if (actor !== row.actor_id) changes.actor_id = actor;
    }
    if (body.parameters !== undefined) {
      const parameters = JSON.stringify(checkParameters(body.parameters));
      if (parameters !== row.parameters) changes.parameters = parameters;
    }
    const changed = Object.keys(changes).filter((k) => k !== 'next_run_at').map((k) => ({ actor_id: 'attribution-actor', timetable: 'timetable' }[k] ?? k));
    if (changed.length === 0) return this.present(row, project);
    const updated = { ...row, ...changes, updated_at: nowIso() };
    await withAudit(this.deps.repos, async (trx) => {
      if (changes.name && (await trx.schedules.getByName({ projectId: row.project_id, kind: 'api', name: changes.name }))) {
        throw errors.conflict(`The project already has a schedule named ${changes.name}`);
      }
      await trx.schedules.update(row.id, { ...changes, updated_at: updated.updated_at });
      return { result: undefined, events: [{
        action: 'schedule.update', actor: userActor(principal), target: { id: row.id, type: 'schedule', name: updated.name }, scope: orgScope(row.org_id),
        success: true, request: auditRequest(input.info), payload: { project_slug: project.slug, schedule_name: updated.name, changed_fields: [...new Set(changed)] },
      }] };
    });
    return this.present(updated, project);
  }

  async delete(principal: UserPrincipal, input: { id: string; info?: RequestInfo }): Promise<void> {
    const { row, project } = await this.require(principal, input.id);
    await withAudit(this.deps.repos, async (trx) => {
      if (!(await trx.schedules.delete(row.id))) throw errors.notFound('Schedule');
      return { result: undefined, events: [{
        action: 'schedule.delete', actor: userActor(principal), target: { id: row.id, type: 'schedule', name: row.name }, scope: orgScope(row.org_id),
        success: true, request: auditRequest(input.info), payload: { project_slug: project.slug, schedule_name: row.name },
      }] };
    });
  }

  /**
   * Fires every schedule due at `now`. Each firing is claimed first with a guarded update on
   * `next_run_at` (moved to the next time after `now`; missed firings are not replayed), so with
   * several replicas each firing triggers exactly one pipeline. Returns how many fired.
   */
  async runDue(now: Date = new Date()): Promise<number> {
    let fired = 0;
    for (const row of await this.deps.repos.schedules.listDue(now.toISOString(), 50)) {
      const claimed = await this.deps.repos.schedules.claimFiring({ id: row.id, due: row.next_run_at, next: nextRun(row.cron, now), now: now.toISOString() });
      if (!claimed) continue;
      try {
        if (await this.fire(row)) fired++;
      } catch (error) {
        this.deps.logger.error({ err: error, scheduleId: row.id }, 'scheduled trigger failed');
      }
    }
    return fired;
  }

  private async fire(row: ScheduleTable): Promise<boolean> {
    const project = await this.deps.repos.projects.getById(row.project_id);
    if (!project) return false;
    const { branch, tag, parameters } = splitParameters(row.parameters);
    if (row.kind === 'api') {
      await this.deps.pipelines.triggerScheduled({ project, actorId: row.actor_id, branch, tag, parameters, schedule: { id: row.id, name: row.name } });
      return true;
    }
    // Legacy trigger: only if the default branch's config still declares it.
    const current = await this.readConfigTriggers(project);
    if (current && !current.some((t) => t.name === row.name)) {
      await this.deps.repos.schedules.delete(row.id);
      return false;
    }
    await this.deps.pipelines.triggerScheduled({ project, actorId: null, branch, parameters: {}, scheduledWorkflow: row.workflow ?? undefined });
    return true;
  }

  /** The legacy triggers of the default branch's config, or undefined when it cannot be read. */
  private async readConfigTriggers(project: ProjectTable): Promise<ConfigTrigger[] | undefined> {
    let source: string | undefined;
    try {
      await this.deps.git.fetch({ projectId: project.id, repoUrl: project.repo_url });
      const sha = await this.deps.git.resolve({ projectId: project.id, branch: project.default_branch });
      source = await this.deps.git.readFile({ projectId: project.id, revision: sha, path: CONFIG_PATH });
    } catch (error) {
      this.deps.logger.warn({ err: error, projectId: project.id }, 'could not read the config for schedule triggers');
      return undefined;
    }
    if (source === undefined) return [];
    return scheduledWorkflows({ source }).flatMap((t) => legacyTriggerBranches(t, project.default_branch).map((branch) => ({
      workflow: t.workflow, cron: t.cron, branch, name: `${t.workflow}@${branch} ${t.cron}`,
    })));
  }

  /** Makes the project's `config` schedules match its default branch's `triggers: schedule`. */
  async syncConfigTriggers(project: ProjectTable, now: Date = new Date()): Promise<void> {
    const wanted = await this.readConfigTriggers(project);
    if (!wanted) return;
    const existing = await this.deps.repos.schedules.listByProject(project.id, 'config');
    for (const row of existing) if (!wanted.some((t) => t.name === row.name)) await this.deps.repos.schedules.delete(row.id);
    for (const t of wanted) {
      if (existing.some((row) => row.name === t.name)) continue;
      let cron: string;
      try {
        cron = checkCron(t.cron);
      } catch {
        this.deps.logger.warn({ projectId: project.id, workflow: t.workflow, cron: t.cron }, 'ignoring a schedule trigger with an invalid cron');
        continue;
      }
      const stamp = now.toISOString();
      await this.deps.repos.schedules.create({
        id: newId(), org_id: project.org_id, project_id: project.id, kind: 'config', name: t.name,
        description: `triggers: schedule of workflow ${t.workflow} in ${CONFIG_PATH}`, timetable: null, cron, actor_id: null,
        parameters: JSON.stringify({ branch: t.branch }), workflow: t.workflow, next_run_at: nextRun(cron, now), last_run_at: null,
        created_by: null, created_at: stamp, updated_at: stamp,
      });
    }
  }

  /** Syncs the legacy triggers of every project (one failure does not stop the others). */
  async syncAllConfigTriggers(now: Date = new Date()): Promise<void> {
    for (const project of await this.deps.repos.schedules.listProjectsForSync()) {
      try {
        await this.syncConfigTriggers(project, now);
      } catch (error) {
        this.deps.logger.warn({ err: error, projectId: project.id }, 'schedule trigger sync failed');
      }
    }
  }
}
