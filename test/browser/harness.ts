/**
 * @module Browser-test harness: a real Kiln server (plain HTTP, SQLite in a temp dir, the web
 * app's routes, and a built-in Docker runner), a git repository with a CircleCI config, and
 * Chromium driven by playwright-core. Builds `web/dist` first when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DockerExecutor, DEFAULT_RESOURCE_CLASSES } from '../../src/executor/docker/docker-executor.js';
import { RunnerAgent } from '../../src/runner/agent.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { buildServerSettings } from '../../src/server/settings.js';
import { DEFAULT_WEB_DIST } from '../../src/server/web/web-app.js';
import { hashToken, newId } from '../../src/shared/ids.js';
import { createLogger } from '../../src/shared/logger.js';
import { nowIso } from '../../src/shared/time.js';

export const ADMIN_TOKEN = 't';
export const ADMIN_EMAIL = 'admin@localhost';
export const ADMIN_PASSWORD = 'correct horse battery staple';
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = resolve('.test-artifacts/screenshots');

/** Builds the web app unless `web/dist` is already there (the lead's `pretest` also does this). */
export function ensureWebBuilt(): void {
  if (isBuildFresh()) return;
  const result = spawnSync(process.execPath, [resolve('node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('vite build web failed');
}

/** Whether web/dist exists and is newer than every file under web/src and web/index.html. */
function isBuildFresh(): boolean {
  const built = join(DEFAULT_WEB_DIST, 'index.html');
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  const sources = [resolve('web/index.html'), resolve('web/vite.config.ts'), ...readdirSync(resolve('web/src'), { recursive: true, encoding: 'utf8' }).map((f) => resolve('web/src', f))];
  return sources.every((file) => statSync(file).mtimeMs <= builtAt);
}

export interface Harness {
  server: RunningServer;
  runner?: RunnerAgent;
  dataDir: string;
  url: string;
  stop(): Promise<void>;
}

async function bounded(what: string, promise: Promise<unknown> | undefined, ms = 10_000): Promise<void> {
  if (!promise) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ms); });
  const result = await Promise.race([promise.then(() => 'done' as const), timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') console.warn(`harness: ${what} did not finish within ${ms} ms; continuing`);
}

export async function startKiln(options: { runner?: boolean; bootstrapToken?: string } = {}): Promise<Harness> {
  ensureWebBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'kiln-web-'));
  const logger = createLogger({ level: 'error' });
  const settings = buildServerSettings({
    insecureHttp: true, host: '127.0.0.1', port: 0, dataDir, runner: options.runner ?? true,
    bootstrapToken: 'bootstrapToken' in options ? options.bootstrapToken : ADMIN_TOKEN, bootstrapPassword: ADMIN_PASSWORD, logLevel: 'error',
  });
  const server = await startServer({ settings, logger });
  let runner: RunnerAgent | undefined;
  if (options.runner ?? true) {
    const { runnerId, token } = await server.services.runners.register({ name: 'built-in', orgId: null });
    runner = new RunnerAgent({
      client: { baseUrl: server.url, token }, name: 'built-in',
      executors: [new DockerExecutor({ runnerId, resourceClasses: DEFAULT_RESOURCE_CLASSES })],
      resourceClasses: Object.keys(DEFAULT_RESOURCE_CLASSES), concurrency: 3, logger,
    });
    await runner.start();
  }
  return {
    server, runner, dataDir, url: server.url,
    stop: async () => {
      // Bounded: a stop that hangs must not hang the test run (reported, not hidden).
      await bounded('runner.stop()', runner?.stop());
      await bounded('server.close()', server.close());
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls the API with a bearer token. */
export async function apiCall<T>(harness: Harness, input: { method: string; path: string; body?: unknown; token?: string }): Promise<{ status: number; body: T }> {
  const response = await fetch(harness.url + input.path, {
    method: input.method,
    headers: { authorization: `Bearer ${input.token ?? ADMIN_TOKEN}`, ...(input.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: input.body === undefined ? undefined : JSON.stringify(input.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** A git repository holding `.circleci/config.yml`. */
export function makeRepo(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-web-repo-'));
  mkdirSync(join(dir, '.circleci'));
  writeFileSync(join(dir, '.circleci', 'config.yml'), config);
  const git = (...args: string[]) => {
    const result = spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  };
  git('init', '--quiet', '--initial-branch=main');
  git('add', '.');
  git('commit', '--quiet', '-m', 'config');
  return dir;
}

/** Adds a user with `role` and an API token to the admin's organisation (no API for it yet). */
export async function addUser(harness: Harness, input: { email: string; role: 'admin' | 'member' | 'viewer'; token: string }): Promise<void> {
  const repos = harness.server.services.repos;
  const me = await apiCall<{ organization_id: string }>(harness, { method: 'GET', path: '/api/v2/me' });
  const orgId = me.body.organization_id;
  const userId = newId();
  const now = nowIso();
  await repos.users.create({ id: userId, org_id: orgId, email: input.email, name: input.email.split('@')[0]!, role: input.role, password_hash: null, created_at: now });
  await repos.tokens.create({ id: newId(), org_id: orgId, user_id: userId, project_id: null, name: 'test', token_hash: hashToken(input.token), scopes: '["*"]', created_at: now, last_used_at: null, revoked_at: null });
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A page that records console errors, page errors and CSP violations. */
export async function newPage(browser: Browser, options: { extraHeaders?: Record<string, string> } = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true, ...(options.extraHeaders ? { extraHTTPHeaders: options.extraHeaders } : {}) });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return { context, page, problems };
}

/** Signs in through the form with email and password (a cookie session). */
export async function signInWithPassword(page: Page, url: string, input: { email?: string; password?: string } = {}): Promise<void> {
  await page.goto(url + '/');
  await page.getByLabel('Email').fill(input.email ?? ADMIN_EMAIL);
  await page.getByLabel('Password').fill(input.password ?? ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('current-user').waitFor();
}

/** Signs in through the form with an API token. */
export async function signInWithToken(page: Page, url: string, token = ADMIN_TOKEN): Promise<void> {
  await page.goto(url + '/');
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in with token' }).click();
  await page.getByTestId('current-user').waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
