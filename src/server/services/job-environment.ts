/**
 * @module The environment a job's steps receive, built at claim time. Precedence (lowest
 * first): project variables, context variables, built-in `CIRCLE_*`; the runner adds job and
 * step `environment` above these. Secret values are listed for masking.
 */
import type { JobPlan } from '../../config/plan.js';
import type { JobTable, PipelineTable, ProjectTable, TaskTable } from '../../store/index.js';

export interface ResolvedEnvironment {
  environment: Record<string, string>;
  maskValues: string[];
  /** Set when the job may not run (e.g. a context it is not allowed to use). */
  unauthorized?: string;
  /** The project's checkout key and pinned host keys, for ssh remotes. */
  checkout?: { sshPrivateKey: string; knownHosts: string };
  /** Keys selected by `add_ssh_keys` (by fingerprint). */
  sshKeys?: Array<{ fingerprint: string; privateKey: string }>;
}

/** Supplies project and context secrets for a job (the secrets module implements it). */
export interface SecretEnvironmentSource {
  forJob(input: { job: JobTable; project: ProjectTable; pipeline: PipelineTable }): Promise<ResolvedEnvironment>;
}

export const NO_SECRETS: SecretEnvironmentSource = { forJob: async () => ({ environment: {}, maskValues: [] }) };

export interface BuiltinInput {
  job: JobTable;
  plan: JobPlan;
  task: TaskTable;
  project: ProjectTable;
  pipeline: PipelineTable;
  publicUrl: string;
}

/** CircleCI's built-in variables for one task. */
export function builtinEnvironment(input: BuiltinInput): Record<string, string> {
  const { job, task, project, pipeline } = input;
  const [, org = '', repo = project.name] = project.slug.split('/');
  const env: Record<string, string> = {
    CI: 'true',
    CIRCLECI: 'true',
    KILN: 'true',
    CIRCLE_JOB: job.name,
    CIRCLE_BUILD_NUM: String(job.number ?? 0),
    CIRCLE_BUILD_URL: `${input.publicUrl}/${project.slug}/jobs/${job.number}`,
    CIRCLE_WORKFLOW_ID: job.workflow_id,
    CIRCLE_WORKFLOW_JOB_ID: job.id,
    CIRCLE_PIPELINE_ID: pipeline.id,
    CIRCLE_PROJECT_REPONAME: repo,
    CIRCLE_PROJECT_USERNAME: org,
    CIRCLE_REPOSITORY_URL: project.repo_url,
    CIRCLE_SHA1: pipeline.revision ?? '',
    CIRCLE_WORKING_DIRECTORY: input.plan.workingDirectory,
    CIRCLE_NODE_INDEX: String(task.node_index),
    CIRCLE_NODE_TOTAL: String(job.parallelism),
    CIRCLE_INTERNAL_TASK_DATA: '/tmp/.circleci-task-data',
  };
  if (pipeline.branch) env.CIRCLE_BRANCH = pipeline.branch;
  if (pipeline.tag) env.CIRCLE_TAG = pipeline.tag;
  return env;
}
