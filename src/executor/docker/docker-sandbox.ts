/**
 * @module One job's Docker environment: its network, primary and service containers. Steps run
 * with `docker exec` in the primary. `destroy()` removes every container, volume and the
 * network, and is safe to call twice.
 */
import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import { ExecutorError, type JobSandbox, type RunOptions, type RunResult } from '../executor.js';
import { removeByLabel } from './docker-reaper.js';
import { watchStep } from '../step-watchdog.js';

export interface DockerSandboxParts {
  docker: Docker;
  primary: Docker.Container;
  taskLabel: { key: string; value: string };
  homeDir: string;
  defaultShell: string;
  owner: { uid: number; gid: number };
  /** How long a step asked to stop may take before it is abandoned (default 10 s). */
  killGraceMs?: number;
}

/** Splits a shell command line like `/bin/bash -eo pipefail` into argv. */
export function shellArgv(shell: string): string[] {
  return shell.trim().split(/\s+/).filter(Boolean);
}

let stepCounter = 0;

export class DockerSandbox implements JobSandbox {
  readonly homeDir: string;
  readonly defaultShell: string;
  readonly owner: { uid: number; gid: number };
  private destroyed = false;

  constructor(private readonly parts: DockerSandboxParts) {
    this.homeDir = parts.homeDir;
    this.defaultShell = parts.defaultShell;
    this.owner = parts.owner;
  }

  async run(options: RunOptions): Promise<RunResult> {
    try {
      return await this.runStep(options);
    } catch (error) {
      // E.g. the job exhausted its pids limit, so the engine cannot start a process in it: the
      // step fails with a message; the job goes on (and `destroy()` still works from outside).
      options.onOutput(Buffer.from(`kiln: could not run the step in the job container: ${(error as Error).message}\n`));
      return { exitCode: null, timedOut: false, canceled: options.signal?.aborted === true };
    }
  }

  private async runStep(options: RunOptions): Promise<RunResult> {
    const pidFile = `/tmp/.kiln-step-${process.pid}-${++stepCounter}.pid`;
    const argv = [...shellArgv(options.shell ?? this.defaultShell), '-c', options.script];
    // A tiny wrapper creates the working directory and records the step's pid so a timeout or
    // cancel can stop it.
    const cmd = ['/bin/sh', '-c', `mkdir -p "$KILN_STEP_DIR" && cd "$KILN_STEP_DIR" || exit 1; unset KILN_STEP_DIR; echo $$ > ${pidFile}; exec "$@"`, 'kiln-step', ...argv];
    const exec = await this.parts.primary.exec({
      Cmd: cmd, Env: [...Object.entries(options.env).map(([k, v]) => `${k}=${v}`), `KILN_STEP_DIR=${options.workingDirectory}`],
      AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const output = new PassThrough();
    this.parts.docker.modem.demuxStream(stream, output, output);
    let forceTimer: NodeJS.Timeout | undefined;
    let forceEnd: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => {
      forceEnd = resolve;
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    const stop = () => {
      void this.exec(['/bin/sh', '-c', `kill -TERM $(cat ${pidFile}) 2>/dev/null; sleep 2; kill -KILL $(cat ${pidFile}) 2>/dev/null; true`], { quiet: true }).catch(() => undefined);
      // When the container cannot even start the kill (pids exhausted), stop waiting anyway.
      forceTimer ??= setTimeout(() => {
        options.onOutput(Buffer.from('\nkiln: the step did not stop when asked; it was abandoned\n'));
        (stream as { destroy?: () => void }).destroy?.();
        forceEnd();
      }, this.parts.killGraceMs ?? 10_000);
    };
    const watchdog = watchStep({ noOutputTimeoutMs: options.noOutputTimeoutMs, signal: options.signal, stop });
    output.on('data', (data: Buffer) => { watchdog.activity(); options.onOutput(data); });
    await ended;
    watchdog.dispose();
    if (forceTimer) clearTimeout(forceTimer);
    const info = await exec.inspect();
    return { exitCode: info.Running ? null : (info.ExitCode ?? null), timedOut: watchdog.timedOut, canceled: watchdog.canceled };
  }

  /** Runs a short command and returns its output (setup work, not steps). */
  async exec(cmd: string[], options: { quiet?: boolean; user?: string } = {}): Promise<{ exitCode: number; output: string }> {
    const exec = await this.parts.primary.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false, ...(options.user ? { User: options.user } : {}) });
    const stream = await exec.start({ hijack: true, stdin: false });
    const sink = new PassThrough();
    const parts: Buffer[] = [];
    sink.on('data', (d: Buffer) => parts.push(d));
    this.parts.docker.modem.demuxStream(stream, sink, sink);
    await new Promise<void>((resolve) => { stream.on('end', resolve); stream.on('close', resolve); stream.on('error', () => resolve()); });
    const info = await exec.inspect();
    const output = Buffer.concat(parts).toString('utf8');
    if (!options.quiet && info.ExitCode !== 0) throw new ExecutorError(`Command ${cmd.join(' ')} failed: ${output.trim()}`);
    return { exitCode: info.ExitCode ?? 1, output };
  }

  async putArchive(directory: string, tar: Readable): Promise<void> {
    await this.exec(['mkdir', '-p', directory]);
    await this.parts.primary.putArchive(tar, { path: directory });
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await removeByLabel(this.parts.docker, `${this.parts.taskLabel.key}=${this.parts.taskLabel.value}`);
  }
}
