/**
 * @module Runs one claimed task: start the sandbox, run each step as CircleCI does, stream
 * output, report steps and the outcome, and always destroy the sandbox. Heartbeats keep the
 * lease; a cancel request or a lost lease stops the task.
 */
import type { RunStepPlan, StepPlan } from '../config/plan.js';
import type { RunnerClient } from '../client/runner-client.js';
import { ExecutorError, type Executor, type JobSandbox } from '../executor/executor.js';
import type { StepStatus, TaskAssignment, TaskOutcome } from '../protocol/runner-protocol.js';
import type { Logger } from '../shared/logger.js';
import { nowIso } from '../shared/time.js';
import { checkout } from './checkout.js';
import { installSshKeys, selectKeys } from './ssh-keys.js';
import { LogStream } from './log-stream.js';
import { jobDirectory, stepDirectory, stepEnvironment } from './step-environment.js';

export interface TaskRunnerDeps {
  client: RunnerClient;
  executors: readonly Executor[];
  logger: Logger;
  heartbeatSeconds: number;
}

interface Outcome {
  status: TaskOutcome;
  reason?: string;
}

const SPIN_UP = 0;

export class TaskRunner {
  private readonly abort = new AbortController();
  private cancelRequested = false;
  private leaseLost = false;
  private readonly log: LogStream;

  constructor(private readonly deps: TaskRunnerDeps, private readonly task: TaskAssignment) {
    this.log = new LogStream({
      maskValues: task.maskValues,
      upload: (chunks) => deps.client.uploadLogs(task.taskId, { leaseToken: task.leaseToken, chunks }),
      onFatal: (error) => this.loseLease(error),
    });
  }

  private loseLease(error: Error): void {
    if (this.leaseLost) return;
    this.leaseLost = true;
    this.deps.logger.warn({ taskId: this.task.taskId, err: error }, 'lease lost; stopping the task');
    this.abort.abort();
  }

  async run(): Promise<void> {
    const heartbeat = setInterval(() => void this.heartbeat(), this.deps.heartbeatSeconds * 1000);
    let sandbox: JobSandbox | undefined;
    let outcome: Outcome;
    try {
      await this.reportStep(SPIN_UP, 'Spin up environment', 'running');
      sandbox = await this.startSandbox();
      await this.reportStep(SPIN_UP, 'Spin up environment', { status: 'success', exitCode: 0 });
      outcome = await this.runSteps(sandbox);
    } catch (error) {
      const message = error instanceof ExecutorError ? error.message : `Runner error: ${(error as Error).message}`;
      this.log.line(SPIN_UP, message);
      await this.reportStep(SPIN_UP, 'Spin up environment', { status: 'failed', exitCode: 1 }).catch(() => undefined);
      outcome = { status: error instanceof ExecutorError && !error.infrastructure ? 'failed' : 'infrastructure_fail', reason: message };
    } finally {
      clearInterval(heartbeat);
    }
    await this.log.close();
    if (!this.leaseLost) {
      await this.deps.client.complete(this.task.taskId, { leaseToken: this.task.leaseToken, status: outcome.status, ...(outcome.reason ? { reason: outcome.reason } : {}) })
        .catch((error) => this.deps.logger.warn({ taskId: this.task.taskId, err: error }, 'completion report refused'));
    }
    // The outcome is reported first so people are not kept waiting on teardown; if this
    // process dies now, the next start of the runner removes the leftovers by label.
    try {
      await sandbox?.destroy();
    } catch (error) {
      this.deps.logger.error({ taskId: this.task.taskId, err: error }, 'could not destroy the sandbox; the reaper will retry');
    }
  }

  private async startSandbox(): Promise<JobSandbox> {
    const kind = this.task.job.executor.kind;
    const executor = this.deps.executors.find((e) => e.kinds.includes(kind));
    if (!executor) throw new ExecutorError(`This runner has no ${kind} executor`, false);
    return executor.start({ taskId: this.task.taskId, jobId: this.task.jobId, plan: this.task.job, log: (line) => this.log.line(SPIN_UP, line), signal: this.abort.signal });
  }

  private async runSteps(sandbox: JobSandbox): Promise<Outcome> {
    const plan = this.task.job;
    const jobDir = jobDirectory(plan, sandbox.homeDir);
    const bashEnv = `/tmp/.bash_env-${this.task.taskId}`;
    let failure: Outcome | undefined;
    const background: Promise<unknown>[] = [];
    for (const [i, step] of plan.steps.entries()) {
      const index = i + 1;
      if (this.cancelRequested || this.leaseLost) return { status: 'canceled', reason: 'Canceled' };
      const runs = step.when === 'always' || (step.when === 'on_fail' ? Boolean(failure) : !failure);
      if (!runs) continue;
      const result = await this.runStep({ sandbox, step, index, jobDir, bashEnv, background });
      if (result && !failure) failure = result;
    }
    this.log.endStep();
    if (this.cancelRequested) return { status: 'canceled', reason: 'Canceled' };
    return failure ?? { status: 'success' };
  }

  /** Runs one step; returns the job's failure if the step failed it. */
  private async runStep(input: { sandbox: JobSandbox; step: StepPlan; index: number; jobDir: string; bashEnv: string; background: Promise<unknown>[] }): Promise<Outcome | undefined> {
    const { sandbox, step, index } = input;
    this.log.endStep();
    await this.reportStep(index, step.name, 'running');
    if (step.kind === 'checkout') {
      try {
        const directory = stepDirectory(input.jobDir, step.path, sandbox.homeDir);
        await checkout({ source: this.task.checkout, sandbox, directory, log: (line) => this.log.line(index, line) });
        this.log.endStep();
        await this.reportStep(index, step.name, { status: 'success', exitCode: 0 });
        return undefined;
      } catch (error) {
        this.log.line(index, (error as Error).message);
        this.log.endStep();
        await this.reportStep(index, step.name, { status: 'failed', exitCode: 1 });
        return { status: 'failed', reason: `Step "${step.name}" failed: ${(error as Error).message}` };
      }
    }
    if (step.kind === 'add_ssh_keys') return this.addSshKeys({ sandbox, step, index });
    if (step.kind !== 'run') {
      const message = step.kind === 'setup_remote_docker'
        ? 'setup_remote_docker is not supported on this runner (Kiln never gives jobs access to a Docker engine)'
        : `Step "${step.name}" (${step.kind}) is not supported by this runner yet`;
      this.log.line(index, message);
      this.log.endStep();
      await this.reportStep(index, step.name, { status: 'failed', exitCode: 1 });
      return { status: 'failed', reason: message };
    }
    const execution = this.execRun({ sandbox, step, index, jobDir: input.jobDir, bashEnv: input.bashEnv });
    if (step.background) {
      input.background.push(execution.catch(() => undefined));
      return undefined;
    }
    return execution;
  }

  private async addSshKeys(input: { sandbox: JobSandbox; step: StepPlan; index: number }): Promise<Outcome | undefined> {
    const { step, index } = input;
    const requested = (step as { args?: { fingerprints?: unknown } }).args?.fingerprints;
    const fingerprints = Array.isArray(requested) ? requested.map(String) : undefined;
    const selection = selectKeys(this.task.sshKeys ?? [], fingerprints);
    let outcome: Outcome | undefined;
    if ('missing' in selection) {
      this.log.line(index, `add_ssh_keys: this project has no SSH key with fingerprint ${selection.missing}`);
      outcome = { status: 'failed', reason: `Step "${step.name}": no SSH key with fingerprint ${selection.missing}` };
    } else {
      try {
        const files = await installSshKeys({ sandbox: input.sandbox, keys: selection.keys });
        this.log.line(index, files.length ? `Added ${files.length} SSH key(s): ${files.join(', ')}` : 'This project has no additional SSH keys');
      } catch (error) {
        this.log.line(index, `add_ssh_keys failed: ${(error as Error).message}`);
        outcome = { status: 'failed', reason: `Step "${step.name}" failed: ${(error as Error).message}` };
      }
    }
    this.log.endStep();
    await this.reportStep(index, step.name, { status: outcome ? 'failed' : 'success', exitCode: outcome ? 1 : 0 });
    return outcome;
  }

  private async execRun(input: { sandbox: JobSandbox; step: RunStepPlan; index: number; jobDir: string; bashEnv: string }): Promise<Outcome | undefined> {
    const { sandbox, step, index } = input;
    const shell = step.shell ?? this.task.job.shell;
    const usesSh = !shell && sandbox.defaultShell.startsWith('/bin/sh');
    const script = usesSh ? `[ -f "$BASH_ENV" ] && . "$BASH_ENV"\n${step.command}` : step.command;
    const result = await sandbox.run({
      script, shell, onOutput: (data) => this.log.write(index, data), signal: this.abort.signal,
      env: stepEnvironment({ base: this.task.environment, plan: this.task.job, step, jobDir: input.jobDir, bashEnv: input.bashEnv, home: sandbox.homeDir }),
      workingDirectory: stepDirectory(input.jobDir, step.workingDirectory, sandbox.homeDir),
      noOutputTimeoutMs: step.noOutputTimeoutSeconds * 1000,
    });
    let status: StepStatus = result.exitCode === 0 ? 'success' : 'failed';
    let outcome: Outcome | undefined;
    if (result.canceled) {
      status = 'canceled';
      outcome = { status: 'canceled', reason: 'Canceled' };
    } else if (result.timedOut) {
      status = 'timedout';
      this.log.line(index, `\nToo long with no output (exceeded ${step.noOutputTimeoutSeconds}s)`);
      outcome = { status: 'timedout', reason: `Step "${step.name}" produced no output for ${step.noOutputTimeoutSeconds}s` };
    } else if (result.exitCode !== 0) {
      this.log.line(index, `\nExited with code exit status ${result.exitCode}`);
      outcome = { status: 'failed', reason: `Step "${step.name}" exited with code ${result.exitCode}` };
    }
    this.log.endStep();
    await this.reportStep(index, step.name, { status, exitCode: result.exitCode ?? undefined });
    return outcome;
  }

  private async reportStep(stepIndex: number, name: string, result: StepStatus | { status: StepStatus; exitCode?: number }): Promise<void> {
    const { status, exitCode } = typeof result === 'string' ? { status: result, exitCode: undefined } : result;
    if (this.leaseLost) return;
    await this.deps.client.reportStep(this.task.taskId, { leaseToken: this.task.leaseToken, stepIndex, name, status, ...(exitCode !== undefined ? { exitCode } : {}), at: nowIso() })
      .catch((error) => { if ((error as { code?: string }).code === 'lease_lost') this.loseLease(error as Error); });
  }

  private async heartbeat(): Promise<void> {
    try {
      const reply = await this.deps.client.heartbeat(this.task.taskId, this.task.leaseToken);
      if (reply.cancelRequested && !this.cancelRequested) {
        this.cancelRequested = true;
        this.abort.abort();
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'lease_lost' || code === 'not_found') this.loseLease(error as Error);
    }
  }
}
