/**
 * @module HTTP API resource shapes (CircleCI API v2 field names and state values where the
 * endpoint exists there; Kiln's own fields are additive). Shared by server presenters, the
 * typed client, the CLI and the web app: browser-safe, types only.
 */

export type PipelineState = 'created' | 'errored' | 'setup-pending' | 'setup' | 'pending';
export type WorkflowStatus = 'success' | 'running' | 'not_run' | 'failed' | 'error' | 'failing' | 'on_hold' | 'canceled' | 'unauthorized';
export type JobStatus =
  | 'success' | 'running' | 'not_run' | 'failed' | 'queued' | 'infrastructure_fail' | 'timedout'
  | 'on_hold' | 'blocked' | 'canceled' | 'unauthorized';

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['success', 'failed', 'canceled', 'not_run', 'infrastructure_fail', 'timedout', 'unauthorized'];
export const TERMINAL_WORKFLOW_STATUSES: readonly WorkflowStatus[] = ['success', 'failed', 'error', 'canceled', 'not_run', 'unauthorized'];

export interface PipelineError {
  type: 'config' | 'config-fetch' | 'timeout' | 'permission' | 'other' | 'trigger-rule' | 'plan';
  message: string;
  /** Kiln: where a config problem is, when known. */
  file?: string;
  line?: number;
  column?: number;
  path?: string;
}

export interface Pipeline {
  id: string;
  errors: PipelineError[];
  project_slug: string;
  updated_at: string;
  number: number;
  trigger_parameters: Record<string, unknown>;
  state: PipelineState;
  created_at: string;
  trigger: { type: 'explicit' | 'api' | 'webhook' | 'scheduled_pipeline'; received_at: string; actor: { login: string; avatar_url: string | null } };
  vcs: { provider_name: string; target_repository_url: string; origin_repository_url: string; branch?: string; tag?: string; revision?: string };
}

export interface PipelineCreated {
  id: string;
  state: PipelineState;
  number: number;
  created_at: string;
}

export interface Workflow {
  pipeline_id: string;
  id: string;
  name: string;
  project_slug: string;
  status: WorkflowStatus;
  pipeline_number: number;
  created_at: string;
  stopped_at: string | null;
  started_by: string | null;
  canceled_by: string | null;
  errored_by: string | null;
}

export interface WorkflowJob {
  id: string;
  name: string;
  type: 'build' | 'approval' | 'no-op';
  status: JobStatus;
  job_number?: number;
  dependencies: string[];
  project_slug: string;
  started_at: string | null;
  stopped_at: string | null;
  approved_by?: string;
  approval_request_id?: string;
  /** Kiln: why the job is waiting or how it ended. */
  status_reason?: string | null;
}

export interface StepSummary {
  index: number;
  name: string;
  status: string;
  exit_code: number | null;
  started_at: string | null;
  stopped_at: string | null;
}

export interface JobDetails {
  web_url: string;
  project: { id: string; slug: string; name: string; external_url: string };
  parallel_runs: Array<{ index: number; status: string }>;
  started_at: string | null;
  latest_workflow: { id: string; name: string };
  name: string;
  executor: { resource_class: string; type: string };
  parallelism: number;
  status: JobStatus;
  number: number;
  pipeline: { id: string };
  duration: number | null;
  created_at: string;
  queued_at: string | null;
  stopped_at: string | null;
  messages: Array<{ type: string; message: string; reason?: string }>;
  contexts: Array<{ name: string }>;
  organization: { name: string };
  /** Kiln: the job's id and its steps per parallel run. */
  id: string;
  steps: StepSummary[][];
}

export interface Project {
  id: string;
  slug: string;
  name: string;
  organization_name: string;
  organization_slug: string;
  organization_id: string;
  vcs_info: { vcs_url: string; provider: string; default_branch: string };
}

export interface Paged<T> {
  items: T[];
  next_page_token: string | null;
}

export interface LogChunkView {
  seq: number;
  step: number;
  /** Byte offset of this chunk in the task's log. */
  offset: number;
  data: string;
}

export interface LogPage {
  chunks: LogChunkView[];
  /** Pass as `from_seq` to continue. */
  next_seq: number;
  /** True once the task finished and every chunk has been returned. */
  complete: boolean;
}

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}
