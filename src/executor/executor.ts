/**
 * @module The Executor interface: where a job's commands run (Docker containers, or the
 * runner host for `machine`). The runner drives it; the server never imports it.
 *
 * Lifecycle, in order:
 *  1. `prepare()` once when the runner starts: checks the host can run jobs safely and
 *     removes everything a crashed predecessor left behind (by label).
 *  2. `start(spec)` per task: creates the isolated environment (network, containers).
 *  3. `sandbox.run()` per step (sequentially, except background steps), `putArchive()` for
 *     checkout and workspaces.
 *  4. `sandbox.destroy()` always, whatever the outcome; idempotent.
 * Errors: `start` rejects with an ExecutorError whose message is fit for the job log.
 */
import type { Readable } from 'node:stream';
import type { JobPlan } from '../config/plan.js';

export interface ExecutorJobSpec {
  taskId: string;
  jobId: string;
  plan: JobPlan;
  /** Writes progress lines (image pulls, container start) to the job log. */
  log(line: string): void;
  signal?: AbortSignal;
}

export interface RunOptions {
  script: string;
  /** Shell command line, e.g. `/bin/bash -eo pipefail`; default: bash if present, else sh. */
  shell?: string;
  env: Record<string, string>;
  /** Absolute directory; created if missing. */
  workingDirectory: string;
  onOutput(data: Buffer): void;
  /** Stop the command when nothing was printed for this long. */
  noOutputTimeoutMs: number;
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number | null;
  timedOut: boolean;
  canceled: boolean;
}

export interface JobSandbox {
  /** The home directory of the job's user (for `~` expansion). */
  readonly homeDir: string;
  /** The default shell command line. */
  readonly defaultShell: string;
  run(options: RunOptions): Promise<RunResult>;
  /** Extracts a tar stream into `directory` (created if missing), owned by the job's user. */
  putArchive(directory: string, tar: Readable): Promise<void>;
  /** uid:gid of the job's user, for archives. */
  readonly owner: { uid: number; gid: number };
  destroy(): Promise<void>;
}

export interface Executor {
  /** Executor kinds this implementation runs (`docker`, `machine`). */
  readonly kinds: readonly string[];
  prepare(): Promise<void>;
  start(spec: ExecutorJobSpec): Promise<JobSandbox>;
}

/** A failure to create or use the job environment, with a message fit for the job log. */
export class ExecutorError extends Error {
  constructor(message: string, readonly infrastructure = true) {
    super(message);
    this.name = 'ExecutorError';
  }
}

/** Labels on every Docker object Kiln creates, so leftovers can always be found. */
export const LABELS = {
  managed: 'dev.kiln.managed',
  runner: 'dev.kiln.runner-id',
  task: 'dev.kiln.task-id',
  job: 'dev.kiln.job-id',
} as const;
