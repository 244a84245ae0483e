/**
 * @module The frozen output of the config module: what the server stores and the runner executes.
 *
 * `processConfig()` turns a `.circleci/config.yml` into a {@link PipelinePlan}. Everything the
 * 2.1 language can express (orbs, commands, executors, parameters, matrix, when/unless, filters)
 * is already resolved here: a plan has no parameters, no references and no conditions left
 * except step-level `when: on_success|on_fail|always`, which depends on runtime outcome.
 * Plans are plain JSON (stored on jobs, sent to runners) and deeply frozen.
 */

/** A place in a config source. Lines and columns are 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One problem found in a config: data, never an exception. */
export interface ConfigProblem extends SourceLocation {
  readonly severity: 'error' | 'warning';
  /** Where in the document, e.g. `jobs.build.steps[2].run`. Empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

/** Job outcomes a `requires` entry may wait for (CircleCI names). */
export type RequiredStatus = 'success' | 'failed' | 'canceled' | 'unauthorized' | 'not_run';

export interface Requirement {
  /** Name of another job in the same workflow (after matrix expansion). */
  readonly job: string;
  /** Statuses of that job that let this one run; `terminal` expands to all of them. */
  readonly statuses: readonly RequiredStatus[];
}

export interface PipelinePlan {
  /** `setup: true` configs run one setup workflow and may continue the pipeline once. */
  readonly setup: boolean;
  readonly workflows: readonly WorkflowPlan[];
}

export interface WorkflowPlan {
  readonly name: string;
  readonly jobs: readonly WorkflowJobPlan[];
}

/** A job as it appears in a workflow: its name there, its edges, and what it runs. */
export interface WorkflowJobPlan {
  /** Unique within the workflow (the `name:` override or the matrix-expanded name). */
  readonly name: string;
  readonly type: 'build' | 'approval' | 'no-op';
  readonly requires: readonly Requirement[];
  /** Context names, in config order. */
  readonly contexts: readonly string[];
  /** Present for `type: build`. */
  readonly job?: JobPlan;
}

/** Everything a runner needs to execute a job, minus secrets and checkout credentials. */
export interface JobPlan {
  /** The job definition's name under `jobs:` (before workflow renaming). */
  readonly name: string;
  readonly executor: ExecutorPlan;
  /** Job-level `environment`, already interpolated. */
  readonly environment: Readonly<Record<string, string>>;
  /** As written, `~` not yet expanded (the runner knows the container's home). Default `~/project`. */
  readonly workingDirectory: string;
  /** Job-level `shell`, if set. */
  readonly shell?: string;
  readonly parallelism: number;
  /** Default `medium`. */
  readonly resourceClass: string;
  readonly steps: readonly StepPlan[];
}

export type ExecutorPlan = DockerExecutorPlan | MachineExecutorPlan | MacosExecutorPlan | WindowsExecutorPlan;

export interface DockerExecutorPlan {
  readonly kind: 'docker';
  /** The first image is the primary container; the rest are service containers. */
  readonly images: readonly DockerImagePlan[];
}

export interface DockerImagePlan {
  readonly image: string;
  readonly name?: string;
  readonly entrypoint?: readonly string[];
  readonly command?: readonly string[];
  readonly user?: string;
  /** Applies to this container's own process, not to steps. */
  readonly environment: Readonly<Record<string, string>>;
  /** Registry credentials by reference, resolved by the server at run time. */
  readonly auth?: Readonly<Record<string, string>>;
}

export interface MachineExecutorPlan {
  readonly kind: 'machine';
  readonly image?: string;
}

export interface MacosExecutorPlan {
  readonly kind: 'macos';
  readonly xcode: string;
}

export interface WindowsExecutorPlan {
  readonly kind: 'windows';
  readonly image?: string;
}

/** When a step runs, given the job's outcome so far. */
export type StepCondition = 'on_success' | 'on_fail' | 'always';

export type StepPlan = RunStepPlan | CheckoutStepPlan | GenericStepPlan;

interface StepBase {
  /** Display name, e.g. the `run` command's first line or `Checkout code`. */
  readonly name: string;
  readonly when: StepCondition;
}

export interface RunStepPlan extends StepBase {
  readonly kind: 'run';
  readonly command: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly workingDirectory?: string;
  readonly shell?: string;
  readonly background: boolean;
  /** Seconds without output before the step is stopped. Default 600. */
  readonly noOutputTimeoutSeconds: number;
}

export interface CheckoutStepPlan extends StepBase {
  readonly kind: 'checkout';
  /** Relative to the working directory; default is the working directory itself. */
  readonly path?: string;
}

/**
 * Every other built-in step (`save_cache`, `restore_cache`, `persist_to_workspace`,
 * `attach_workspace`, `store_artifacts`, `store_test_results`, `add_ssh_keys`,
 * `setup_remote_docker`, ...), with its arguments as written after expansion. Runners
 * execute the kinds they support and fail the job with a clear message on the others.
 */
export interface GenericStepPlan extends StepBase {
  readonly kind: GenericStepKind;
  readonly args: Readonly<Record<string, unknown>>;
}

export type GenericStepKind =
  | 'save_cache' | 'restore_cache' | 'persist_to_workspace' | 'attach_workspace'
  | 'store_artifacts' | 'store_test_results' | 'add_ssh_keys' | 'setup_remote_docker'
  | 'deploy' | 'unsupported';

/** Values the pipeline provides to `<< pipeline.* >>` (CircleCI pipeline values). */
export interface PipelineValues {
  readonly id: string;
  readonly number: number;
  readonly project: { readonly gitUrl: string; readonly type: string; readonly slug: string };
  readonly git: {
    readonly branch?: string;
    readonly tag?: string;
    readonly revision: string;
    readonly baseRevision?: string;
    readonly commitSubject?: string;
    readonly commitAuthorName?: string;
  };
  readonly triggerSource: string;
  readonly schedule?: { readonly name: string; readonly id: string };
  readonly triggerParameters?: Readonly<Record<string, unknown>>;
}

/** Deep-freezes a plan so nothing downstream can mutate it. */
export function freezePlan<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) freezePlan((value as Record<string, unknown>)[key]);
  }
  return value;
}
