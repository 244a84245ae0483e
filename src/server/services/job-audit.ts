/**
 * @module Audit events for the job lifecycle (`workflow.job.scheduled|start|finish|approve`),
 * written through the audit module. The server, not a person, is the actor of scheduling and
 * finishing; a runner is the actor of `start`.
 */
import { auditWriter, type AuditEntity } from '../../audit/index.js';
import type { JobTable, Repositories } from '../../store/index.js';

const SYSTEM_ACTOR: AuditEntity = { id: 'kiln', type: 'system', name: 'kiln' };
const FINISH_STATUSES = new Set(['success', 'failed', 'canceled', 'not_run', 'infrastructure_fail', 'timedout', 'unauthorized']);

async function jobRef(repos: Repositories, job: JobTable) {
  const [project, pipeline, workflow] = await Promise.all([
    repos.projects.getById(job.project_id), repos.pipelines.getById(job.pipeline_id), repos.workflows.getById(job.workflow_id),
  ]);
  return { project_slug: project?.slug ?? '', pipeline_number: pipeline?.number ?? 1, workflow_name: workflow?.name ?? '', job_name: job.name };
}

const target = (job: JobTable): AuditEntity => ({ id: job.id, type: 'job', name: job.name });
const scope = (job: JobTable): AuditEntity => ({ id: job.org_id, type: 'organization' });

export async function auditJobScheduled(repos: Repositories, job: JobTable & { number: number }): Promise<void> {
  await auditWriter.record(repos.store.db, {
    action: 'workflow.job.scheduled', actor: SYSTEM_ACTOR, target: target(job), scope: scope(job), success: true,
    payload: { ...(await jobRef(repos, job)), job_number: job.number, resource_class: job.resource_class ?? 'medium' },
  });
}

export async function auditJobStarted(repos: Repositories, input: { job: JobTable; runnerId: string; nodeIndex: number }): Promise<void> {
  const { job } = input;
  if (job.number === null) return;
  await auditWriter.record(repos.store.db, {
    action: 'workflow.job.start', actor: { id: input.runnerId, type: 'runner' }, target: target(job), scope: scope(job), success: true,
    payload: { ...(await jobRef(repos, job)), job_number: job.number, runner_id: input.runnerId, node_index: input.nodeIndex },
  });
}

export async function auditJobFinished(repos: Repositories, job: JobTable): Promise<void> {
  if (!FINISH_STATUSES.has(job.status)) return;
  await auditWriter.record(repos.store.db, {
    action: 'workflow.job.finish', actor: SYSTEM_ACTOR, target: target(job), scope: scope(job), success: job.status === 'success',
    payload: { ...(await jobRef(repos, job)), ...(job.number !== null ? { job_number: job.number } : {}), status: job.status as 'success' },
  });
}

export async function auditJobApproved(repos: Repositories, input: { job: JobTable; actor: AuditEntity; requestId?: string }): Promise<void> {
  await auditWriter.record(repos.store.db, {
    action: 'workflow.job.approve', actor: input.actor, target: target(input.job), scope: scope(input.job), success: true,
    request: input.requestId ? { id: input.requestId } : null,
    payload: await jobRef(repos, input.job),
  });
}
