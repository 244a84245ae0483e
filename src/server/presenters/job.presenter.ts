/** @module Whitelists job fields (CircleCI v2 shapes). Plans, environments and secrets never leave here. */
import type { JobDetails, JobStatus, StepSummary, WorkflowJob } from '../../api/resources.js';
import type { JobPlan, Requirement } from '../../config/plan.js';
import type { JobTable, OrgTable, ProjectTable, StepTable, TaskTable, WorkflowTable } from '../../store/index.js';

export function presentWorkflowJob(job: JobTable, project: ProjectTable, idsByName: ReadonlyMap<string, string>): WorkflowJob {
  const requires = JSON.parse(job.requires) as Requirement[];
  return {
    id: job.id,
    name: job.name,
    type: job.type as WorkflowJob['type'],
    status: job.status as JobStatus,
    ...(job.number !== null ? { job_number: job.number } : {}),
    dependencies: requires.map((r) => idsByName.get(r.job)).filter((id): id is string => Boolean(id)),
    project_slug: project.slug,
    started_at: job.started_at,
    stopped_at: job.stopped_at,
    ...(job.type === 'approval' ? { approval_request_id: job.id } : {}),
    ...(job.approved_by ? { approved_by: job.approved_by } : {}),
    status_reason: job.status_reason,
  };
}

export interface JobDetailsInput {
  job: JobTable;
  workflow: WorkflowTable;
  project: ProjectTable;
  org: OrgTable;
  tasks: TaskTable[];
  steps: StepTable[][];
  publicUrl: string;
}

export function presentJobDetails(input: JobDetailsInput): JobDetails {
  const { job, workflow, project, org, tasks } = input;
  const plan = job.plan ? (JSON.parse(job.plan) as JobPlan) : undefined;
  const duration = job.started_at && job.stopped_at ? Date.parse(job.stopped_at) - Date.parse(job.started_at) : null;
  return {
    web_url: `${input.publicUrl}/${project.slug}/jobs/${job.number}`,
    project: { id: project.id, slug: project.slug, name: project.name, external_url: project.repo_url },
    parallel_runs: tasks.map((t) => ({ index: t.node_index, status: t.status })),
    started_at: job.started_at,
    latest_workflow: { id: workflow.id, name: workflow.name },
    name: job.name,
    executor: { resource_class: job.resource_class ?? 'medium', type: plan?.executor.kind ?? 'none' },
    parallelism: job.parallelism,
    status: job.status as JobStatus,
    number: job.number ?? 0,
    pipeline: { id: job.pipeline_id },
    duration,
    created_at: job.created_at,
    queued_at: job.queued_at,
    stopped_at: job.stopped_at,
    messages: job.status_reason ? [{ type: job.status === 'queued' ? 'info' : 'error', message: job.status_reason }] : [],
    contexts: (JSON.parse(job.contexts) as string[]).map((name) => ({ name })),
    organization: { name: org.name },
    id: job.id,
    steps: input.steps.map((steps) => steps.map(presentStep)),
  };
}

export function presentStep(step: StepTable): StepSummary {
  return { index: step.step_index, name: step.name, status: step.status, exit_code: step.exit_code, started_at: step.started_at, stopped_at: step.stopped_at };
}
