/**
 * @module The server⇄runner protocol, version 1. Runners (the built-in one included) speak only
 * this, over HTTPS, authenticated with a runner token (`Authorization: Bearer <token>`).
 *
 * Lifecycle, in order:
 *  1. `POST /api/runner/v1/hello`      — a runner (re)starts: the server fails every task the
 *                                         runner held before (its containers are gone).
 *  2. `POST /api/runner/v1/claim`      — long-poll (`waitSeconds`) for a task. 200 + assignment,
 *                                         or 204 when none arrived in time.
 *  3. `POST …/tasks/{id}/heartbeat`    — every `heartbeatSeconds`; renews the lease; the answer
 *                                         says whether the job was canceled.
 *  4. `POST …/tasks/{id}/logs`         — sequenced, masked output chunks; retries are safe
 *                                         (a sequence number already stored is ignored).
 *  5. `POST …/tasks/{id}/steps`        — step started / finished.
 *  6. `POST …/tasks/{id}/complete`     — final outcome. After this the lease is gone.
 *
 * Every report carries the claim's `leaseToken` (a fencing token). The server refuses (409
 * `lease_lost`) any report whose token is not the task's current one or whose lease lapsed;
 * the runner must then stop the job and destroy its containers.
 */
import type { JobPlan } from '../config/plan.js';

export const RUNNER_PROTOCOL_VERSION = 1;
export const RUNNER_API_PREFIX = '/api/runner/v1';

export interface RunnerHello {
  protocolVersion: number;
  /** Random per process start: lets the server tell a restart from a reconnect. */
  bootId: string;
  name: string;
  resourceClasses: string[];
  executors: string[];
}

export interface RunnerHelloReply {
  runnerId: string;
  /** Tasks the server failed because this runner restarted while holding them. */
  abandonedTaskIds: string[];
  leaseSeconds: number;
  heartbeatSeconds: number;
}

export interface ClaimRequest {
  bootId: string;
  waitSeconds: number;
}

/** Where the source comes from and how to authenticate. */
export interface CheckoutSource {
  repoUrl: string;
  revision: string;
  branch?: string;
  tag?: string;
  /** OpenSSH private key (PEM) for ssh:// and scp-style remotes. */
  sshPrivateKey?: string;
  /** known_hosts lines pinning the git host's key. */
  knownHosts?: string;
}

/** Everything a runner needs to run one task. Secrets arrive here and nowhere else. */
export interface TaskAssignment {
  taskId: string;
  jobId: string;
  leaseToken: number;
  leaseExpiresAt: string;
  job: JobPlan;
  /** Job name in its workflow (CIRCLE_JOB). */
  jobName: string;
  nodeIndex: number;
  nodeTotal: number;
  /** Fully resolved environment for steps, lowest precedence first already applied (built-ins, contexts, project). */
  environment: Record<string, string>;
  /** Every secret value in `environment`, for masking. */
  maskValues: string[];
  checkout: CheckoutSource;
  /** Extra SSH keys for `add_ssh_keys`, by fingerprint. */
  sshKeys?: Array<{ fingerprint: string; privateKey: string }>;
}

export interface HeartbeatRequest {
  leaseToken: number;
}

export interface HeartbeatReply {
  leaseExpiresAt: string;
  cancelRequested: boolean;
}

export interface LogChunk {
  /** 0, 1, 2… per task, without gaps. */
  seq: number;
  stepIndex: number;
  /** UTF-8 text, already masked by the runner. */
  data: string;
}

export interface LogUpload {
  leaseToken: number;
  chunks: LogChunk[];
}

export type StepStatus = 'running' | 'success' | 'failed' | 'canceled' | 'timedout' | 'skipped';

export interface StepReport {
  leaseToken: number;
  stepIndex: number;
  name: string;
  status: StepStatus;
  exitCode?: number;
  at: string;
}

export type TaskOutcome = 'success' | 'failed' | 'canceled' | 'infrastructure_fail' | 'timedout';

export interface CompleteRequest {
  leaseToken: number;
  status: TaskOutcome;
  /** A human-readable reason for anything but success, e.g. `step "Run tests" exited with code 3`. */
  reason?: string;
}
