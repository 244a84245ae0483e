/**
 * Test hosts for the sandbox e2e tests, all on this machine (see SECURITY-NOTES.md §4 "How to
 * test network checks here, safely"): a network namespace joined to the host by a veth pair,
 * holding one /32 address and a tiny HTTP server. Before any traffic is sent, `ip route get`
 * must show the address goes to our veth and nowhere else; otherwise creation fails and
 * nothing is sent. Also: helpers that build job plans and run commands in a DockerExecutor.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import type { JobPlan } from '../../src/config/plan.js';
import type { ExecutorJobSpec, JobSandbox } from '../../src/executor/executor.js';

export const sh = promisify(execFile);

/** Under CI=true the sandbox tests must run; elsewhere they skip when the host cannot run them. */
export async function sandboxPrerequisites(): Promise<string | undefined> {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('needs root (iptables, ip netns)');
  await sh('docker', ['info']).catch(() => problems.push('no Docker engine'));
  if (problems.length === 0) {
    await sh('bash', ['scripts/build-test-images.sh']);
    await sh('bash', ['scripts/build-sandbox-test-image.sh']);
  }
  const reason = problems.join('; ');
  if (reason && process.env.CI === 'true') throw new Error(`sandbox tests cannot run here: ${reason}`);
  return reason || undefined;
}

export interface NetnsHost {
  address: string;
  port: number;
  /** `address:port` */
  target: string;
  close(): Promise<void>;
}

async function ip(args: string[]): Promise<string> {
  return (await sh('ip', args)).stdout;
}

/**
 * Creates netns `kt-<tag>` with `address`/32 behind veth `kt<tag>h`/`kt<tag>n` and an HTTP server
 * (busybox httpd) serving `/ok.txt` = "ok" on `port`. `tag`: ≤ 6 characters, unique per test file.
 */
export async function createNetnsHost(input: { tag: string; address: string; hostSideAddress: string; port?: number }): Promise<NetnsHost> {
  const { tag, address } = input;
  const port = input.port ?? 8080;
  const ns = `kt-${tag}`;
  const hostIf = `kt${tag}h`;
  const nsIf = `kt${tag}n`;
  let www = '';
  let server: ChildProcess | undefined;
  const close = async () => {
    server?.kill('SIGKILL');
    await ip(['link', 'del', hostIf]).catch(() => undefined);
    await ip(['netns', 'del', ns]).catch(() => undefined);
    if (www) rmSync(www, { recursive: true, force: true });
  };
  await close();
  www = mkdtempSync(join(tmpdir(), 'kiln-netns-'));
  writeFileSync(join(www, 'ok.txt'), 'ok\n');
  try {
    await ip(['netns', 'add', ns]);
    await ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    await ip(['link', 'set', nsIf, 'netns', ns]);
    await ip(['addr', 'add', `${input.hostSideAddress}/32`, 'dev', hostIf]);
    await ip(['link', 'set', hostIf, 'up']);
    await ip(['route', 'add', `${address}/32`, 'dev', hostIf]);
    const inNs = (args: string[]) => ip(['netns', 'exec', ns, 'ip', ...args]);
    await inNs(['addr', 'add', `${address}/32`, 'dev', nsIf]);
    await inNs(['link', 'set', nsIf, 'up']);
    await inNs(['link', 'set', 'lo', 'up']);
    await inNs(['route', 'add', 'default', 'dev', nsIf]);
    // Safety: traffic to `address` must go to our veth, nowhere else.
    const route = await ip(['route', 'get', address]);
    if (!new RegExp(`\\bdev ${hostIf}\\b`).test(route)) throw new Error(`refusing to test: ${address} routes via "${route.trim()}", not ${hostIf}`);
    server = spawn('ip', ['netns', 'exec', ns, 'busybox', 'httpd', '-f', '-p', `${address}:${port}`, '-h', www], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      const up = await sh('sh', ['-c', httpGet(`${address}:${port}`)]).then((r) => r.stdout.includes('ok'), () => false);
      if (up) break;
      if (i === 49) throw new Error(`the test host ${address}:${port} did not come up`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { address, port, target: `${address}:${port}`, close };
}

/** A shell command that fetches /ok.txt from `ip:port` with busybox nc (busybox wget crashes on some builds). */
export function httpGet(target: string, timeoutSeconds = 3): string {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), target.slice(target.lastIndexOf(':') + 1)];
  return `printf 'GET /ok.txt HTTP/1.0\\r\\n\\r\\n' | timeout ${timeoutSeconds + 2} busybox nc -w ${timeoutSeconds} ${host} ${port}`;
}

/** A TCP listener on every host address that answers "hello" and closes. */
export async function hostListener(): Promise<{ port: number; accepted: () => number; close(): Promise<void> }> {
  let count = 0;
  const server: Server = createServer((socket) => { count++; socket.end('hello\n'); });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, accepted: () => count, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The host's own non-loopback IPv4 addresses outside Docker and Kiln bridges and test veths. */
export function hostAddresses(): string[] {
  return Object.entries(networkInterfaces())
    .filter(([name]) => !/^(docker|br-|kiln-|veth|kt)/.test(name))
    .flatMap(([, addrs]) => (addrs ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address));
}

/** `docker run --rm` of a plain (unhardened) container on the default bridge: proves a test host is reachable at all. */
export async function plainDockerRun(command: string[]): Promise<{ code: number; output: string }> {
  return sh('docker', ['run', '--rm', 'kiln-test/sh:1', ...command], { timeout: 30_000 })
    .then((r) => ({ code: 0, output: r.stdout + r.stderr }), (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }));
}

export function dockerJobPlan(input: { image?: string; user?: string; resourceClass?: string; name?: string } = {}): JobPlan {
  return {
    name: input.name ?? 'sandbox-test',
    executor: { kind: 'docker', images: [{ image: input.image ?? 'kiln-test/sandbox:1', environment: {}, ...(input.user ? { user: input.user } : {}) }] },
    environment: {}, workingDirectory: '~/project', parallelism: 1, resourceClass: input.resourceClass ?? 'test', steps: [],
  };
}

let taskCounter = 0;
export function jobSpec(plan: JobPlan, prefix = 'sbx'): ExecutorJobSpec {
  const taskId = `${prefix}-${process.pid}-${Date.now().toString(36)}-${++taskCounter}`;
  return { taskId, jobId: `job-${taskId}`, plan, log: () => undefined };
}

/** Runs a script as a step (default shell) and collects its output. */
export async function runIn(sandbox: JobSandbox, script: string, options: { env?: Record<string, string>; timeoutMs?: number } = {}) {
  const chunks: Buffer[] = [];
  const result = await sandbox.run({
    script, env: options.env ?? {}, workingDirectory: '/tmp', onOutput: (d) => chunks.push(d), noOutputTimeoutMs: options.timeoutMs ?? 60_000,
  });
  return { ...result, output: Buffer.concat(chunks).toString('utf8') };
}

/** The Engine API status of `GET /<kind>s/<id>` (200 while the object exists, 404 once it is gone). */
export async function inspectStatus(docker: Docker, kind: 'container' | 'network' | 'volume', id: string): Promise<number> {
  const object = kind === 'container' ? docker.getContainer(id) : kind === 'network' ? docker.getNetwork(id) : docker.getVolume(id);
  return (object.inspect() as Promise<unknown>).then(() => 200, (e: { statusCode?: number }) => e.statusCode ?? 0);
}
