/**
 * @module Creates a pipeline's workflows and jobs from its plan, and moves them forward:
 * queues jobs whose requirements are met, marks the ones that can never run `not_run`, and
 * keeps each workflow's status current. Every transition is a guarded update (`from` states),
 * so concurrent calls (two task completions, two replicas) cannot queue a job twice.
 */
import type { JobStatus } from '../../api/resources.js';
import type { JobPlan, PipelinePlan, Requirement } from '../../config/plan.js';
import { newId } from '../../shared/ids.js';
import type { Logger } from '../../shared/logger.js';
import { nowIso } from '../../shared/time.js';
import type { JobTable, PipelineTable, Repositories, TaskTable } from '../../store/index.js';
import { topics, type EventBus } from '../live/event-bus.js';
import { publishState } from '../live/state-events.js';
import { auditJobApproved, auditJobFinished, auditJobScheduled, auditJobStarted } from './job-audit.js';
import { isTerminal, jobStatusFromTasks, readiness, workflowStatus, type JobState } from './workflow-state.js';

export interface WorkflowEngineDeps {
  repos: Repositories;
  bus: EventBus;
  logger: Logger;
}

export class WorkflowEngine {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: WorkflowEngineDeps) {}

  /** Creates the workflows and jobs of a compiled pipeline and starts them. */
  async start(pipeline: PipelineTable, plan: PipelinePlan): Promise<string[]> {
    const workflowIds: string[] = [];
    for (const workflowPlan of plan.workflows) {
      workflowIds.push(await this.createWorkflow(pipeline, {
        name: workflowPlan.name,
        jobs: workflowPlan.jobs.map((job) => ({
          name: job.name, type: job.type, requires: JSON.stringify(job.requires), contexts: JSON.stringify(job.contexts),
          plan: job.job ? JSON.stringify(job.job) : null, resource_class: job.job?.resourceClass ?? null, parallelism: job.job?.parallelism ?? 1,
        })),
      }));
    }
    for (const id of workflowIds) await this.advance(id);
    return workflowIds;
  }

  /**
   * Runs a workflow again as a new workflow of the same pipeline (CircleCI's rerun). From
   * failed: jobs that succeeded keep their success and only the rest run again.
   */
  async rerun(input: { workflowId: string; fromFailed: boolean }): Promise<string> {
    const { repos } = this.deps;
    const workflow = await repos.workflows.getById(input.workflowId);
    const pipeline = workflow && (await repos.pipelines.getById(workflow.pipeline_id));
    if (!workflow || !pipeline) throw new Error(`workflow ${input.workflowId} not found`);
    const jobs = await repos.jobs.listByWorkflow(workflow.id);
    const id = await this.createWorkflow(pipeline, {
      name: workflow.name,
      jobs: jobs.map((job) => ({
        name: job.name, type: job.type, requires: job.requires, contexts: job.contexts, plan: job.plan, resource_class: job.resource_class, parallelism: job.parallelism,
        ...(input.fromFailed && job.status === 'success' ? { carried: job } : {}),
      })),
    });
    await this.advance(id);
    return id;
  }

  private async createWorkflow(pipeline: PipelineTable, input: { name: string; jobs: NewJob[] }): Promise<string> {
    const now = nowIso();
    const workflowId = newId();
    await this.deps.repos.workflows.create({ id: workflowId, pipeline_id: pipeline.id, project_id: pipeline.project_id, name: input.name, status: 'running', created_at: now, stopped_at: null });
    await this.deps.repos.jobs.createMany(input.jobs.map((job) => ({
      id: newId(), workflow_id: workflowId, pipeline_id: pipeline.id, project_id: pipeline.project_id, org_id: pipeline.org_id,
      name: job.name, type: job.type, number: null, status: job.carried ? 'success' : 'blocked',
      requires: job.requires, contexts: job.contexts, plan: job.plan, resource_class: job.resource_class, parallelism: job.parallelism,
      status_reason: job.carried ? 'Succeeded in the workflow this one reruns' : null, approved_by: job.carried?.approved_by ?? null,
      created_at: now, queued_at: null, started_at: job.carried?.started_at ?? null, stopped_at: job.carried?.stopped_at ?? null,
    })));
    publishState(this.deps.bus, { kind: 'workflow', projectId: pipeline.project_id, pipelineId: pipeline.id, workflowId, name: input.name, status: 'running' });
    return workflowId;
  }

  /** Approves an on-hold approval job; false when it is not (or no longer) on hold. */
  async approve(input: { jobId: string; userId: string; userName: string; requestId?: string }): Promise<boolean> {
    const job = await this.deps.repos.jobs.getById(input.jobId);
    if (!job || job.type !== 'approval') return false;
    const now = nowIso();
    const changes = { status: 'success' as const, approved_by: input.userId, started_at: now, stopped_at: now, status_reason: `Approved by ${input.userName}` };
    if (!(await this.deps.repos.jobs.transition(job.id, ['on_hold'], changes))) return false;
    await auditJobApproved(this.deps.repos, { job: { ...job, ...changes }, actor: { id: input.userId, type: 'user', name: input.userName }, requestId: input.requestId });
    await this.publishJob({ ...job, ...changes });
    await this.advance(job.workflow_id);
    return true;
  }

  /** Re-evaluates one workflow. Safe to call at any time, any number of times. */
  advance(workflowId: string): Promise<void> {
    const previous = this.locks.get(workflowId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.advanceNow(workflowId));
    this.locks.set(workflowId, next);
    return next.finally(() => { if (this.locks.get(workflowId) === next) this.locks.delete(workflowId); });
  }

  private async advanceNow(workflowId: string): Promise<void> {
    const { repos } = this.deps;
    const workflow = await repos.workflows.getById(workflowId);
    if (!workflow) return;
    let changed = true;
    let rows = await repos.jobs.listByWorkflow(workflowId);
    while (changed) {
      changed = false;
      const states = new Map<string, JobState>(rows.map((r) => [r.name, toState(r)]));
      for (const row of rows) {
        if (row.status !== 'blocked') continue;
        const verdict = readiness(toState(row), states);
        if (verdict === 'waiting') continue;
        if (verdict === 'never') changed = (await this.setJobStatus(row, ['blocked'], { status: 'not_run', status_reason: 'A required job did not end in a status it allows', stopped_at: nowIso() })) || changed;
        else changed = (await this.activate(row)) || changed;
      }
      if (changed) rows = await repos.jobs.listByWorkflow(workflowId);
    }
    const status = workflowStatus(rows.map(toState));
    if (status !== workflow.status) {
      const stopped = ['success', 'failed', 'canceled', 'error', 'not_run', 'unauthorized'].includes(status) ? nowIso() : null;
      await repos.workflows.setStatus(workflowId, status, stopped);
      publishState(this.deps.bus, { kind: 'workflow', projectId: workflow.project_id, pipelineId: workflow.pipeline_id, workflowId, name: workflow.name, status });
    }
  }

  /** Makes a blocked job runnable: build → queued with its tasks, approval → on_hold, no-op → success. */
  private async activate(row: JobTable): Promise<boolean> {
    const now = nowIso();
    if (row.type === 'approval') return this.setJobStatus(row, ['blocked'], { status: 'on_hold', status_reason: 'Waiting for approval' });
    if (row.type === 'no-op' || !row.plan) return this.setJobStatus(row, ['blocked'], { status: 'success', started_at: now, stopped_at: now });
    const plan = JSON.parse(row.plan) as JobPlan;
    const number = await this.deps.repos.projects.nextJobNumber(row.project_id);
    const moved = await this.setJobStatus(row, ['blocked'], { status: 'queued', number, queued_at: now, status_reason: `Waiting for a runner with resource class ${plan.resourceClass} (${plan.executor.kind} executor)` });
    if (!moved) return false;
    const tasks: TaskTable[] = Array.from({ length: Math.max(1, plan.parallelism) }, (_, index) => ({
      id: newId(), job_id: row.id, node_index: index, status: 'queued', resource_class: plan.resourceClass, executor: plan.executor.kind,
      runner_id: null, lease_token: 0, lease_expires_at: null, cancel_requested: 0, failure_reason: null, created_at: now, started_at: null, stopped_at: null,
    }));
    await this.deps.repos.tasks.createMany(tasks);
    await auditJobScheduled(this.deps.repos, { ...row, status: 'queued', number, resource_class: plan.resourceClass });
    await this.publishJob({ ...row, status: 'queued', number }, tasks.map((t) => t.id));
    this.deps.bus.publish(topics.taskQueued, { resourceClass: plan.resourceClass });
    return true;
  }

  private async setJobStatus(row: JobTable, from: string[], changes: Partial<JobTable> & { status: JobStatus }): Promise<boolean> {
    const moved = await this.deps.repos.jobs.transition(row.id, from, changes);
    if (moved && changes.status !== 'queued') {
      await auditJobFinished(this.deps.repos, { ...row, ...changes });
      await this.publishJob({ ...row, ...changes });
    }
    return moved;
  }

  async publishJob(row: JobTable, taskIds?: string[]): Promise<void> {
    const ids = taskIds ?? (await this.deps.repos.tasks.listByJob(row.id)).map((t) => t.id);
    publishState(this.deps.bus, {
      kind: 'job', projectId: row.project_id, pipelineId: row.pipeline_id, workflowId: row.workflow_id, jobId: row.id,
      name: row.name, status: row.status as JobStatus, number: row.number, taskIds: ids, reason: row.status_reason,
    });
  }

  /** A task started running on a runner: its job becomes `running`. */
  async taskStarted(input: { jobId: string; runnerId: string; nodeIndex: number }): Promise<void> {
    const job = await this.deps.repos.jobs.getById(input.jobId);
    if (!job) return;
    await auditJobStarted(this.deps.repos, { job, runnerId: input.runnerId, nodeIndex: input.nodeIndex });
    const jobId = input.jobId;
    const now = nowIso();
    if (await this.deps.repos.jobs.transition(jobId, ['queued'], { status: 'running', started_at: now, status_reason: null })) {
      await this.publishJob({ ...job, status: 'running', started_at: now, status_reason: null });
      await this.advance(job.workflow_id);
    }
  }

  /** A task ended: once all of a job's tasks ended, the job ends and the workflow moves on. */
  async taskFinished(jobId: string, reason: string | null): Promise<void> {
    const { repos } = this.deps;
    const job = await repos.jobs.getById(jobId);
    if (!job) return;
    const status = jobStatusFromTasks((await repos.tasks.listByJob(jobId)).map((t) => t.status));
    if (!status) return;
    const changes = { status, stopped_at: nowIso(), status_reason: status === 'success' ? null : reason };
    if (await repos.jobs.transition(jobId, ['queued', 'running'], changes)) {
      await auditJobFinished(repos, { ...job, ...changes });
      await this.publishJob({ ...job, ...changes });
    }
    await this.advance(job.workflow_id);
  }

  /** Cancels every unfinished job of a workflow; running tasks are told at their next heartbeat. */
  async cancelWorkflow(workflowId: string): Promise<void> {
    const { repos } = this.deps;
    for (const job of await repos.jobs.listByWorkflow(workflowId)) {
      if (isTerminal(job.status as JobStatus)) continue;
      const now = nowIso();
      await repos.tasks.requestCancel(job.id);
      for (const task of await repos.tasks.listByJob(job.id)) {
        if (task.status === 'queued') await repos.tasks.finish({ taskId: task.id, status: 'canceled', reason: 'Canceled', now });
      }
      if (job.status !== 'running') await this.setJobStatus(job, [job.status], { status: 'canceled', stopped_at: now, status_reason: 'Canceled' });
      else await this.taskFinished(job.id, 'Canceled');
    }
    await this.advance(workflowId);
  }
}

/** A job row to create: copied from a plan or an earlier workflow; `carried` keeps an earlier success. */
type NewJob = Pick<JobTable, 'name' | 'type' | 'requires' | 'contexts' | 'plan' | 'resource_class' | 'parallelism'> & { carried?: JobTable };

function toState(row: JobTable): JobState {
  return { name: row.name, type: row.type, status: row.status as JobStatus, requires: JSON.parse(row.requires) as Requirement[] };
}
