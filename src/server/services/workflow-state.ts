/**
 * @module Pure rules of workflow progress (no I/O), so they can be tested on their own:
 * which blocked jobs may start, which can never run, and the workflow's status.
 */
import type { Requirement } from '../../config/plan.js';
import { TERMINAL_JOB_STATUSES, type JobStatus, type WorkflowStatus } from '../../api/resources.js';

export interface JobState {
  name: string;
  type: string;
  status: JobStatus;
  requires: readonly Requirement[];
}

export type Readiness = 'ready' | 'waiting' | 'never';

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

/** Whether a blocked job may start now, must keep waiting, or can never run (→ not_run). */
export function readiness(job: JobState, byName: ReadonlyMap<string, JobState>): Readiness {
  let waiting = false;
  for (const requirement of job.requires) {
    const upstream = byName.get(requirement.job);
    if (!upstream) continue; // filtered out of this pipeline: ignored, as in CircleCI
    if (!isTerminal(upstream.status)) {
      waiting = true;
      continue;
    }
    if (!(requirement.statuses as readonly string[]).includes(upstream.status)) return 'never';
  }
  return waiting ? 'waiting' : 'ready';
}

const FAILED: readonly JobStatus[] = ['failed', 'infrastructure_fail', 'timedout', 'unauthorized'];

/** The workflow's status from its jobs' statuses (CircleCI names). */
export function workflowStatus(jobs: readonly JobState[]): WorkflowStatus {
  const anyFailed = jobs.some((j) => FAILED.includes(j.status));
  const active = jobs.filter((j) => !isTerminal(j.status));
  if (active.length > 0) {
    const moving = active.some((j) => j.status === 'queued' || j.status === 'running');
    if (anyFailed) return 'failing';
    if (!moving && active.some((j) => j.status === 'on_hold')) return 'on_hold';
    return 'running';
  }
  if (jobs.some((j) => j.status === 'canceled')) return 'canceled';
  if (jobs.some((j) => j.status === 'unauthorized') && !jobs.some((j) => j.status === 'failed')) return 'unauthorized';
  if (anyFailed) return 'failed';
  if (jobs.length > 0 && jobs.every((j) => j.status === 'not_run')) return 'not_run';
  return 'success';
}

/** A job's status from its parallel tasks' outcomes. */
export function jobStatusFromTasks(statuses: readonly string[]): JobStatus | undefined {
  if (statuses.some((s) => s === 'queued' || s === 'running')) return undefined;
  for (const status of ['infrastructure_fail', 'timedout', 'failed', 'canceled'] as const) {
    if (statuses.includes(status)) return status;
  }
  return 'success';
}
