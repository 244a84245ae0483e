/**
 * @module Table types for Kysely. Every timestamp is a UTC ISO-8601 string and every JSON
 * column is text, so one schema serves SQLite and PostgreSQL without dialect branches.
 */
import type { AuditDatabase } from './audit.schema.js';
import type { SecretsDatabase } from './secrets.schema.js';
import type { TriggersDatabase } from './orb.schema.js';

export interface OrgTable {
  id: string;
  name: string;
  slug: string;
  created_at: string;
}

export type Role = 'admin' | 'member' | 'viewer';

export interface UserTable {
  id: string;
  org_id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string | null;
  created_at: string;
}

export interface ApiTokenTable {
  id: string;
  org_id: string;
  user_id: string | null;
  project_id: string | null;
  name: string;
  token_hash: string;
  /** JSON array of scopes, e.g. ["*"] or ["read"]. */
  scopes: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ProjectTable {
  id: string;
  org_id: string;
  /** CircleCI form `<vcs>/<org>/<name>`, e.g. `git/default/demo`. */
  slug: string;
  name: string;
  vcs_type: string;
  repo_url: string;
  default_branch: string;
  next_pipeline_number: number;
  next_job_number: number;
  created_at: string;
}

export interface PipelineTable {
  id: string;
  project_id: string;
  org_id: string;
  number: number;
  /** CircleCI pipeline states: created, errored, setup-pending, setup, pending. */
  state: string;
  trigger_type: string;
  trigger_actor_id: string | null;
  branch: string | null;
  tag: string | null;
  revision: string | null;
  /** JSON object of pipeline parameters. */
  parameters: string;
  /** JSON array of {type, message, file, line, column, path}. */
  errors: string;
  created_at: string;
  updated_at: string;
}

export interface WorkflowTable {
  id: string;
  pipeline_id: string;
  project_id: string;
  name: string;
  /** running, success, failed, failing, on_hold, canceled, error, not_run. */
  status: string;
  created_at: string;
  stopped_at: string | null;
}

export interface JobTable {
  id: string;
  workflow_id: string;
  pipeline_id: string;
  project_id: string;
  org_id: string;
  name: string;
  /** build | approval | no-op */
  type: string;
  /** Project-wide job number; null until the job is queued (CircleCI numbers only run jobs). */
  number: number | null;
  /** CircleCI job states: blocked, queued, running, success, failed, canceled, not_run, on_hold, infrastructure_fail, timedout, unauthorized. */
  status: string;
  /** JSON Requirement[]. */
  requires: string;
  /** JSON string[] of context names. */
  contexts: string;
  /** JSON JobPlan, or null for approval/no-op. */
  plan: string | null;
  resource_class: string | null;
  parallelism: number;
  /** Human-readable reason while waiting, or why it failed. */
  status_reason: string | null;
  approved_by: string | null;
  created_at: string;
  queued_at: string | null;
  started_at: string | null;
  stopped_at: string | null;
}

export interface TaskTable {
  id: string;
  job_id: string;
  node_index: number;
  /** queued, running, success, failed, canceled, infrastructure_fail, timedout */
  status: string;
  resource_class: string;
  /** Executor kind a runner must offer: docker, machine, macos, windows. */
  executor: string;
  runner_id: string | null;
  /** Fencing token: increases on every claim; reports carrying an older one are refused. */
  lease_token: number;
  lease_expires_at: string | null;
  cancel_requested: number;
  failure_reason: string | null;
  created_at: string;
  started_at: string | null;
  stopped_at: string | null;
}

export interface StepTable {
  task_id: string;
  step_index: number;
  name: string;
  /** running, success, failed, canceled, timedout, skipped */
  status: string;
  exit_code: number | null;
  started_at: string | null;
  stopped_at: string | null;
}

export interface LogChunkTable {
  task_id: string;
  seq: number;
  step_index: number;
  /** Byte offset of this chunk within the task's whole log. */
  byte_offset: number;
  byte_length: number;
  blob_key: string;
  created_at: string;
}

export interface RunnerTable {
  id: string;
  org_id: string | null;
  name: string;
  token_hash: string;
  /** JSON string[] */
  resource_classes: string;
  /** JSON string[] */
  executors: string;
  boot_id: string | null;
  last_seen_at: string | null;
  created_at: string;
}

export interface KvTable {
  key: string;
  value: string;
}

export interface Database extends SecretsDatabase, AuditDatabase, TriggersDatabase {
  orgs: OrgTable;
  users: UserTable;
  api_tokens: ApiTokenTable;
  projects: ProjectTable;
  pipelines: PipelineTable;
  workflows: WorkflowTable;
  jobs: JobTable;
  tasks: TaskTable;
  steps: StepTable;
  log_chunks: LogChunkTable;
  runners: RunnerTable;
  kv: KvTable;
}
