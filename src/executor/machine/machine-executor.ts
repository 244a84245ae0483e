/**
 * @module The `machine` executor: steps run directly on the runner host, as a dedicated
 * unprivileged user (`kiln-job`), in a throwaway directory that is removed after the job.
 *
 * This is LESS isolated than the Docker executor, and docs/SANDBOX.md says so: there is no
 * seccomp profile, no private network (the job reaches whatever the host reaches, including its
 * private networks and cloud metadata), no pids/memory limits beyond the host's, and every
 * machine job on this host runs as the same uid, so concurrent machine jobs can see and signal
 * each other. Each step runs with no-new-privileges, an empty capability bounding set, a clean
 * environment, and in its own process group that is killed when the step ends or times out.
 * Use it only on hosts dedicated to trusted projects.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, chown, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ExecutorError, type Executor, type ExecutorJobSpec, type JobSandbox, type RunOptions, type RunResult } from '../executor.js';
import { watchStep } from '../step-watchdog.js';

export const JOB_USER = 'kiln-job';

export interface MachineExecutorOptions {
  /** Parent of the per-job directories (default: the OS temp dir). */
  baseDir?: string;
  /** The unprivileged user jobs run as (created with useradd if missing). */
  user?: string;
  /** How long a step asked to stop may take before its process group is killed (default 5 s). */
  killGraceMs?: number;
}

interface Account { uid: number; gid: number }

function runCommand(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

async function lookupAccount(user: string): Promise<Account | undefined> {
  const [uid, gid] = await Promise.all([runCommand('id', ['-u', user]), runCommand('id', ['-g', user])]);
  if (uid.code !== 0 || gid.code !== 0) return undefined;
  return { uid: Number(uid.output.trim()), gid: Number(gid.output.trim()) };
}

/** argv prefix that drops to the job user: no-new-privileges, no capabilities, no supplementary groups. */
function dropPrivileges(account: Account): string[] {
  return ['setpriv', `--reuid=${account.uid}`, `--regid=${account.gid}`, '--clear-groups', '--no-new-privs', '--inh-caps=-all', '--bounding-set=-all', '--'];
}

/** Kills every process of `uid` (only when no machine job of this runner is still running). */
async function killUserProcesses(uid: number): Promise<void> {
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    if (real !== undefined && Number(real) === uid) {
      try { process.kill(Number(entry), 'SIGKILL'); } catch { /* already gone */ }
    }
  }
}

export class MachineExecutor implements Executor {
  readonly kinds = ['machine'];
  private account: Account | undefined;
  private active = 0;

  constructor(private readonly options: MachineExecutorOptions = {}) {}

  get user(): string {
    return this.options.user ?? JOB_USER;
  }

  /** Needs root (to switch users); creates the job user when missing. */
  async prepare(): Promise<void> {
    if (process.getuid?.() !== 0) throw new ExecutorError('The machine executor needs the runner to run as root, so that jobs can run as the unprivileged user kiln-job');
    let account = await lookupAccount(this.user);
    if (!account) {
      const created = await runCommand('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/sh', this.user]);
      if (created.code !== 0) throw new ExecutorError(`Could not create the job user ${this.user}: ${created.output.trim()}`);
      account = await lookupAccount(this.user);
    }
    if (!account || account.uid === 0) throw new ExecutorError(`The job user ${this.user} must exist and must not be root`);
    this.account = account;
  }

  async start(spec: ExecutorJobSpec): Promise<JobSandbox> {
    if (spec.plan.executor.kind !== 'machine') throw new ExecutorError(`The machine executor cannot run a ${spec.plan.executor.kind} job`, false);
    if (!this.account) await this.prepare();
    const account = this.account as Account;
    const base = this.options.baseDir ?? tmpdir();
    await mkdir(base, { recursive: true });
    const dir = await mkdtemp(join(base, 'kiln-machine-'));
    await chown(dir, account.uid, account.gid);
    await chmod(dir, 0o700);
    spec.log(`Running on the runner host as ${this.user} in ${dir} (machine executor: less isolated than docker)`);
    this.active++;
    return new MachineSandbox({ dir, account, killGraceMs: this.options.killGraceMs ?? 5000, onDestroy: async () => {
      this.active--;
      if (this.active === 0) await killUserProcesses(account.uid);
    } });
  }
}

class MachineSandbox implements JobSandbox {
  readonly homeDir: string;
  readonly defaultShell = '/bin/bash -eo pipefail';
  readonly owner: { uid: number; gid: number };
  private destroyed = false;
  private readonly groups = new Set<number>();

  constructor(private readonly parts: { dir: string; account: Account; killGraceMs: number; onDestroy(): Promise<void> }) {
    this.homeDir = parts.dir;
    this.owner = { uid: parts.account.uid, gid: parts.account.gid };
  }

  private spawnAsJob(argv: string[], options: { cwd: string; env: Record<string, string>; stdin?: 'pipe' | 'ignore' }) {
    return spawn(dropPrivileges(this.parts.account)[0], [...dropPrivileges(this.parts.account).slice(1), ...argv], {
      cwd: options.cwd, env: options.env, detached: true, stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
    });
  }

  private baseEnv(): Record<string, string> {
    return { HOME: this.homeDir, USER: JOB_USER, LOGNAME: JOB_USER, PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
  }

  private killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
    if (!pid) return;
    try { process.kill(-pid, signal); } catch { /* gone */ }
  }

  async run(options: RunOptions): Promise<RunResult> {
    const shell = (options.shell ?? (await this.hasBash() ? this.defaultShell : '/bin/sh -eo pipefail')).trim().split(/\s+/);
    const script = `mkdir -p "$KILN_STEP_DIR" && cd "$KILN_STEP_DIR" || exit 1; unset KILN_STEP_DIR; exec "$@"`;
    const child = this.spawnAsJob(['/bin/sh', '-c', script, 'kiln-step', ...shell, '-c', options.script], {
      cwd: this.homeDir, env: { ...this.baseEnv(), ...options.env, KILN_STEP_DIR: options.workingDirectory },
    });
    if (child.pid) this.groups.add(child.pid);
    const stop = () => {
      this.killGroup(child.pid, 'SIGTERM');
      setTimeout(() => this.killGroup(child.pid, 'SIGKILL'), this.parts.killGraceMs).unref();
    };
    const watchdog = watchStep({ noOutputTimeoutMs: options.noOutputTimeoutMs, signal: options.signal, stop });
    const onData = (data: Buffer) => { watchdog.activity(); options.onOutput(data); };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const exitCode = await new Promise<number | null>((resolve) => {
      child.on('error', (error) => { options.onOutput(Buffer.from(`kiln: could not start the step: ${error.message}\n`)); resolve(null); });
      child.on('exit', (code) => resolve(code));
    });
    watchdog.dispose();
    return { exitCode, timedOut: watchdog.timedOut, canceled: watchdog.canceled };
  }

  private bash: boolean | undefined;
  private async hasBash(): Promise<boolean> {
    this.bash ??= (await runCommand('/bin/sh', ['-c', 'command -v bash'])).code === 0;
    return this.bash;
  }

  /** Extracts as the job user, so nothing in the archive can land outside what that user may write. */
  async putArchive(directory: string, tar: Readable): Promise<void> {
    const child = this.spawnAsJob(['/bin/sh', '-c', 'mkdir -p "$1" && exec tar -x --no-same-owner --no-same-permissions -C "$1" -f -', 'kiln-untar', directory], {
      cwd: this.homeDir, env: this.baseEnv(), stdin: 'pipe',
    });
    let output = '';
    child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
    child.stdout?.resume();
    tar.on('error', () => child.stdin?.destroy());
    tar.pipe(child.stdin as NodeJS.WritableStream);
    const code = await new Promise<number | null>((resolve) => { child.on('error', () => resolve(null)); child.on('exit', resolve); });
    if (code !== 0) throw new ExecutorError(`Could not extract into ${directory}: ${output.trim() || `tar exited with ${code}`}`);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const pid of this.groups) this.killGroup(pid, 'SIGKILL');
    await this.parts.onDestroy();
    await rm(this.parts.dir, { recursive: true, force: true });
  }
}
