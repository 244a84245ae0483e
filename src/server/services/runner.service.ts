/**
 * @module The server side of the runner protocol (see src/protocol/runner-protocol.ts):
 * registration, long-poll claims, leases with fencing tokens, step and log reports, completion,
 * and the reaper that fails tasks whose runner stopped heart-beating.
 */
import type { CompleteRequest, HeartbeatReply, LogChunk, RunnerHello, RunnerHelloReply, StepReport, TaskAssignment } from '../../protocol/runner-protocol.js';
import { RUNNER_PROTOCOL_VERSION } from '../../protocol/runner-protocol.js';
import type { JobPlan } from '../../config/plan.js';
import { AppError, errors } from '../../shared/errors.js';
import { hashToken, newId, newToken } from '../../shared/ids.js';
import type { Logger } from '../../shared/logger.js';
import { isoPlus, nowIso } from '../../shared/time.js';
import { inTransaction, type JobTable, type PipelineTable, type Repositories, type TaskTable } from '../../store/index.js';
import { auditWriter, type AuditEntity } from '../../audit/index.js';
import type { RunnerPrincipal } from '../http/principal.js';
import { topics, type EventBus } from '../live/event-bus.js';
import { publishState } from '../live/state-events.js';
import { builtinEnvironment, type SecretEnvironmentSource } from './job-environment.js';
import type { LogService } from './log.service.js';
import type { WorkflowEngine } from './workflow-engine.js';

export interface RunnerServiceDeps {
  repos: Repositories;
  engine: WorkflowEngine;
  logs: LogService;
  bus: EventBus;
  logger: Logger;
  secrets: SecretEnvironmentSource;
  /** Masks a chunk again on the server before it is stored (defence in depth). */
  maskChunk?: (taskId: string, data: string) => string | Promise<string>;
  /** Masks a standalone text of a task (step names) with the same values. */
  maskText?: (taskId: string, text: string) => Promise<string>;
  /** Issues `CIRCLE_CONTINUATION_KEY` for a task of a setup workflow (undefined otherwise); the value is masked. */
  continuationKey?: (input: { job: JobTable; pipeline: PipelineTable; task: TaskTable }) => Promise<string | undefined>;
  publicUrl: string;
  leaseSeconds: number;
  heartbeatSeconds: number;
}

export class RunnerService {
  constructor(private readonly deps: RunnerServiceDeps) {}

  /**
   * Creates a runner record (or gives an existing one a new token) and returns its token (shown
   * once; stored hashed). Records `runner.register` in the same transaction: in the runner's
   * organisation, or in every organisation for a shared runner (`orgId: null`).
   */
  async register(input: {
    name: string; orgId: string | null; id?: string;
    resourceClasses?: string[]; executors?: string[];
    /** Who registered it (default: the server itself) and the request that did. */
    actor?: AuditEntity; request?: { id: string } | null;
  }): Promise<{ runnerId: string; token: string }> {
    const token = newToken('kiln_runner');
    return inTransaction(this.deps.repos, async (trx) => {
      const existing = input.id ? await trx.runners.getById(input.id) : undefined;
      const runnerId = existing?.id ?? input.id ?? newId();
      if (existing) await trx.runners.update(existing.id, { token_hash: hashToken(token) });
      else await trx.runners.create({ id: runnerId, org_id: input.orgId, name: input.name, token_hash: hashToken(token), resource_classes: '[]', executors: '[]', boot_id: null, last_seen_at: null, created_at: nowIso() });
      const orgIds = input.orgId ? [input.orgId] : (await trx.store.db.selectFrom('orgs').select('id').orderBy('id').execute()).map((o) => o.id);
      for (const orgId of orgIds) {
        await auditWriter.record(trx.store.db, {
          action: 'runner.register', actor: input.actor ?? { id: 'kiln', type: 'system', name: 'kiln' },
          target: { id: runnerId, type: 'runner', name: input.name }, scope: { id: orgId, type: 'organization' },
          success: true, request: input.request ?? null,
          payload: { runner_name: input.name, resource_classes: input.resourceClasses ?? [], executors: input.executors ?? [] },
        });
      }
      return { runnerId, token };
    });
  }

  async hello(runner: RunnerPrincipal, hello: RunnerHello): Promise<RunnerHelloReply> {
    if (hello.protocolVersion !== RUNNER_PROTOCOL_VERSION) throw new AppError('bad_request', `Runner protocol ${hello.protocolVersion} is not supported (server speaks ${RUNNER_PROTOCOL_VERSION})`);
    const record = await this.deps.repos.runners.getById(runner.runnerId);
    if (!record) throw errors.unauthenticated();
    const abandoned: string[] = [];
    if (record.boot_id !== hello.bootId) {
      for (const task of await this.deps.repos.tasks.listRunningByRunner(runner.runnerId)) {
        if (await this.failTask(task, 'The runner restarted while running this job')) abandoned.push(task.id);
      }
    }
    await this.deps.repos.runners.update(runner.runnerId, {
      boot_id: hello.bootId, last_seen_at: nowIso(),
      resource_classes: JSON.stringify(hello.resourceClasses), executors: JSON.stringify(hello.executors),
    });
    return { runnerId: runner.runnerId, abandonedTaskIds: abandoned, leaseSeconds: this.deps.leaseSeconds, heartbeatSeconds: this.deps.heartbeatSeconds };
  }

  /** Waits up to `waitSeconds` for a task this runner can run; undefined when none came. */
  async claim(runner: RunnerPrincipal, options: { bootId: string; waitSeconds: number; signal?: AbortSignal }): Promise<TaskAssignment | undefined> {
    const record = await this.deps.repos.runners.getById(runner.runnerId);
    if (!record) throw errors.unauthenticated();
    if (record.boot_id !== options.bootId) throw new AppError('conflict', 'Say hello first: this runner boot is not registered');
    const deadline = Date.now() + Math.min(Math.max(options.waitSeconds, 0), 60) * 1000;
    const filter = { resourceClasses: JSON.parse(record.resource_classes) as string[], executors: JSON.parse(record.executors) as string[] };
    for (;;) {
      const now = nowIso();
      await this.deps.repos.runners.update(runner.runnerId, { last_seen_at: now });
      const task = await this.deps.repos.tasks.claim({ runnerId: runner.runnerId, ...filter, leaseUntil: isoPlus(this.deps.leaseSeconds * 1000), now });
      if (task) {
        const assignment = await this.assignment(task);
        if (assignment) return assignment;
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0 || options.signal?.aborted) return undefined;
      await this.waitForWork(Math.min(remaining, 2000), options.signal);
    }
  }

  private waitForWork(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); unsubscribe(); signal?.removeEventListener('abort', done); resolve(); };
      const timer = setTimeout(done, ms);
      const unsubscribe = this.deps.bus.subscribe(topics.taskQueued, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Builds the payload for a claimed task; fails the task (and returns undefined) when it cannot run. */
  private async assignment(task: TaskTable): Promise<TaskAssignment | undefined> {
    const { repos } = this.deps;
    const job = await repos.jobs.getById(task.job_id);
    const pipeline = job && (await repos.pipelines.getById(job.pipeline_id));
    const project = pipeline && (await repos.projects.getById(pipeline.project_id));
    if (!job || !pipeline || !project || !job.plan) {
      await this.failTask(task, 'The job record is incomplete');
      return undefined;
    }
    const plan = JSON.parse(job.plan) as JobPlan;
    const secrets = await this.deps.secrets.forJob({ job, project, pipeline });
    if (secrets.unauthorized) {
      await repos.tasks.finish({ taskId: task.id, status: 'failed', reason: secrets.unauthorized, now: nowIso() });
      await repos.jobs.transition(job.id, ['queued', 'running'], { status: 'unauthorized', status_reason: secrets.unauthorized, stopped_at: nowIso() });
      await this.deps.engine.publishJob({ ...job, status: 'unauthorized', status_reason: secrets.unauthorized });
      await this.deps.engine.advance(job.workflow_id);
      return undefined;
    }
    await this.deps.engine.taskStarted({ jobId: job.id, runnerId: task.runner_id ?? 'unknown', nodeIndex: task.node_index });
    const builtins = builtinEnvironment({ job, plan, task, project, pipeline, publicUrl: this.deps.publicUrl });
    const continuationKey = await this.deps.continuationKey?.({ job, pipeline, task });
    if (continuationKey) builtins.CIRCLE_CONTINUATION_KEY = continuationKey;
    return {
      taskId: task.id, jobId: job.id, leaseToken: task.lease_token, leaseExpiresAt: task.lease_expires_at!,
      job: plan, jobName: job.name, nodeIndex: task.node_index, nodeTotal: job.parallelism,
      environment: { ...secrets.environment, ...builtins },
      maskValues: continuationKey ? [...secrets.maskValues, continuationKey] : secrets.maskValues,
      checkout: { repoUrl: project.repo_url, revision: pipeline.revision!, branch: pipeline.branch ?? undefined, tag: pipeline.tag ?? undefined, ...(secrets.checkout ?? {}) },
      ...(secrets.sshKeys?.length ? { sshKeys: secrets.sshKeys } : {}),
    };
  }

  private async requireLease(taskId: string, leaseToken: number): Promise<TaskTable> {
    const task = await this.deps.repos.tasks.getById(taskId);
    if (!task) throw errors.notFound('Task');
    if (!(await this.deps.repos.tasks.holdsLease({ taskId, leaseToken, now: nowIso() }))) throw errors.leaseLost();
    return task;
  }

  private async requireOwnTask(runner: RunnerPrincipal, taskId: string, leaseToken: number): Promise<TaskTable> {
    const task = await this.requireLease(taskId, leaseToken);
    if (task.runner_id !== runner.runnerId) throw errors.leaseLost('This task is leased to another runner');
    return task;
  }

  async heartbeat(runner: RunnerPrincipal, taskId: string, leaseToken: number): Promise<HeartbeatReply> {
    const task = await this.requireOwnTask(runner, taskId, leaseToken);
    const until = isoPlus(this.deps.leaseSeconds * 1000);
    if (!(await this.deps.repos.tasks.renewLease({ taskId, leaseToken, until, now: nowIso() }))) throw errors.leaseLost();
    await this.deps.repos.runners.update(runner.runnerId, { last_seen_at: nowIso() });
    return { leaseExpiresAt: until, cancelRequested: task.cancel_requested === 1 };
  }

  async appendLogs(runner: RunnerPrincipal, taskId: string, upload: { leaseToken: number; chunks: LogChunk[] }): Promise<void> {
    await this.requireOwnTask(runner, taskId, upload.leaseToken);
    const mask = this.deps.maskChunk;
    const chunks = [];
    // In order: the server-side masker is stateful per task.
    for (const c of [...upload.chunks].sort((a, b) => a.seq - b.seq)) chunks.push({ seq: c.seq, stepIndex: c.stepIndex, data: mask ? await mask(taskId, c.data) : c.data });
    await this.deps.logs.append(taskId, chunks);
  }

  async reportStep(runner: RunnerPrincipal, taskId: string, report: StepReport): Promise<void> {
    const task = await this.requireOwnTask(runner, taskId, report.leaseToken);
    if (this.deps.maskText) report = { ...report, name: await this.deps.maskText(taskId, report.name) };
    const existing = (await this.deps.repos.steps.listByTask(taskId)).find((s) => s.step_index === report.stepIndex);
    const finished = report.status !== 'running';
    await this.deps.repos.steps.upsert({
      task_id: taskId, step_index: report.stepIndex, name: report.name, status: report.status, exit_code: report.exitCode ?? null,
      started_at: existing?.started_at ?? report.at, stopped_at: finished ? report.at : null,
    });
    const job = (await this.deps.repos.jobs.getById(task.job_id))!;
    publishState(this.deps.bus, { kind: 'step', projectId: job.project_id, pipelineId: job.pipeline_id, jobId: job.id, taskId, index: report.stepIndex, name: report.name, status: report.status, exitCode: report.exitCode ?? null });
  }

  async complete(runner: RunnerPrincipal, taskId: string, request: CompleteRequest): Promise<void> {
    const task = await this.requireOwnTask(runner, taskId, request.leaseToken);
    const finished = await this.deps.repos.tasks.finish({ taskId, leaseToken: request.leaseToken, status: request.status, reason: request.reason ?? null, now: nowIso() });
    if (!finished) throw errors.leaseLost();
    this.deps.bus.publish(topics.log(taskId), { type: 'log_end', topic: topics.log(taskId), taskId });
    await this.deps.engine.taskFinished(task.job_id, request.reason ?? null);
  }

  /** Ends a task as an infrastructure failure (runner lost or restarted). */
  async failTask(task: TaskTable, reason: string): Promise<boolean> {
    const finished = await this.deps.repos.tasks.finish({ taskId: task.id, status: 'infrastructure_fail', reason, now: nowIso() });
    if (finished) {
      this.deps.logger.warn({ taskId: task.id, reason }, 'task failed by the server');
      this.deps.bus.publish(topics.log(task.id), { type: 'log_end', topic: topics.log(task.id), taskId: task.id });
      await this.deps.engine.taskFinished(task.job_id, reason);
    }
    return finished;
  }

  /** Fails every task whose lease lapsed. Called periodically. */
  async reapExpiredLeases(): Promise<number> {
    let count = 0;
    for (const task of await this.deps.repos.tasks.listExpired(nowIso())) {
      if (await this.failTask(task, 'The runner stopped responding (its lease expired)')) count++;
    }
    return count;
  }
}
