/**
 * Test harness: a real Kiln (server + built-in runner on the local Docker engine) in this
 * process, a git repository to build, and the CLI run as a user runs it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEmbedded } from '../../src/bin/server-command.js';
import { KilnClient } from '../../src/client/index.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { SettingsInput } from '../../src/server/settings.js';

export const ADMIN_TOKEN = 'test-admin-token';
const ROOT = new URL('../..', import.meta.url).pathname;

/** Builds the local test images (no registry) once per process. */
let imagesBuilt = false;
export function ensureTestImages(): void {
  if (imagesBuilt) return;
  execFileSync('bash', [join(ROOT, 'scripts/build-test-images.sh')], { stdio: 'inherit' });
  imagesBuilt = true;
}

export interface TestKiln {
  url: string;
  /** The built-in runner's id: every Docker object it creates carries it as a label. */
  runnerId: string;
  dataDir: string;
  client: KilnClient;
  stop(): Promise<void>;
}

export async function startKiln(overrides: Partial<SettingsInput> = {}): Promise<TestKiln> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'kiln-data-'));
  const embedded = await runEmbedded({
    settings: { port: 0, host: '127.0.0.1', dataDir, insecureHttp: true, bootstrapToken: ADMIN_TOKEN, ...overrides },
    logger: silentLogger(),
  });
  const client = new KilnClient({ baseUrl: embedded.server.url, token: ADMIN_TOKEN, caCert: embedded.server.tls?.cert, serverName: 'localhost' });
  return {
    url: embedded.server.url, runnerId: embedded.runnerId ?? '', dataDir, client,
    stop: async () => { await client.close(); await embedded.stop(); },
  };
}

/** A git repository (main branch) holding `.circleci/config.yml` and any extra files. */
export function createRepo(config: string, files: Record<string, string> = {}): { path: string; url: string; commit(config: string): void; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'kiln-repo-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Kiln Test', '-c', 'user.email=test@kiln.local', ...args], { cwd: path, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  const commit = (text: string) => {
    mkdirSync(join(path, '.circleci'), { recursive: true });
    writeFileSync(join(path, '.circleci', 'config.yml'), text);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(path, name), content);
    git('add', '-A');
    git('commit', '-q', '-m', 'update', '--allow-empty');
  };
  commit(config);
  return { path, url: `file://${path}`, commit, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kiln …` as a separate process, as a user would. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/kiln.mjs'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export interface DockerObjects {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/** Docker objects created by one runner (its label), or by any Kiln runner. */
export function kilnDockerObjects(runnerId?: string): DockerObjects {
  const label = runnerId ? `label=dev.kiln.runner-id=${runnerId}` : 'label=dev.kiln.managed';
  const list = (args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).split('\n').filter(Boolean);
  return {
    containers: list(['ps', '-aq', '--filter', label]),
    networks: list(['network', 'ls', '-q', '--filter', label]),
    volumes: list(['volume', 'ls', '-q', '--filter', label]),
  };
}

/** Waits (teardown runs after a job's outcome is reported) until a runner left nothing behind. */
export async function waitForNoDockerObjects(runnerId: string, timeoutMs = 20_000): Promise<DockerObjects> {
  const deadline = Date.now() + timeoutMs;
  let objects = kilnDockerObjects(runnerId);
  while (Date.now() < deadline && objects.containers.length + objects.networks.length + objects.volumes.length > 0) {
    await new Promise((r) => setTimeout(r, 250));
    objects = kilnDockerObjects(runnerId);
  }
  return objects;
}
