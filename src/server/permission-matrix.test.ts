/**
 * Permission matrix (issue #4): every API route, enumerated from the Fastify instance, called as
 * anonymous, viewer, member, admin, and an admin of another organisation. Expected: 401 for
 * anonymous; 403 below the route's role; 404 for another organisation's resources; never 500;
 * and no response body ever contains a stored secret value.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DIALECTS, createTestDatabase, skipReason, type TestDatabase } from '../../test/support/databases.js';
import { buildOrg, buildProject, buildUser } from '../../test/support/factories.js';
import { openBlobStore } from '../blobs/index.js';
import { GitMirrors } from '../scm/git-mirror.js';
import { SecretKeys, generateKeyRing } from '../secrets/index.js';
import { hashToken, newId, newToken } from '../shared/ids.js';
import { silentLogger } from '../shared/logger.js';
import { nowIso } from '../shared/time.js';
import { createRepositories, type Repositories, type Role } from '../store/index.js';
import { buildApp } from './app.js';
import { roleAtLeast, type Access } from './http/principal.js';
import { MemoryEventBus } from './live/event-bus.js';
import { createServices, type ServerServices } from './services/index.js';

const PROJECT_SECRET = 'project-secret-value-0123456789';
const CONTEXT_SECRET = 'context-secret-value-9876543210';

/** Full paths and methods, parsed from `printRoutes({ commonPrefix: false })`. */
export function enumerateRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  const out: Array<{ method: string; url: string }> = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line.replace(/\u00a0/g, ' '));
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    if (!match[3]) continue;
    for (const method of match[3].split(', ')) if (method !== 'HEAD') out.push({ method, url: stack.join('') });
  }
  return out;
}

interface Fixture {
  tokens: Record<'viewer' | 'member' | 'admin' | 'other', string>;
  params: Record<string, string>;
  services: ServerServices;
  repos: Repositories;
}

async function seed(repos: Repositories, services: ServerServices): Promise<Fixture> {
  const org = await repos.orgs.create(buildOrg());
  const other = await repos.orgs.create(buildOrg());
  const tokens = {} as Fixture['tokens'];
  const users: Record<string, string> = {};
  for (const [key, orgId, role] of [['viewer', org.id, 'viewer'], ['member', org.id, 'member'], ['admin', org.id, 'admin'], ['other', other.id, 'admin']] as const) {
    const user = await repos.users.create(buildUser(orgId, { role: role as Role }));
    users[key] = user.id;
    const token = newToken('kiln');
    await repos.tokens.create({ id: newId(), org_id: orgId, user_id: user.id, project_id: null, name: key, token_hash: hashToken(token), scopes: '["*"]', created_at: nowIso(), last_used_at: null, revoked_at: null });
    tokens[key] = token;
  }
  const project = await repos.projects.create(buildProject(org.id, { slug: `git/${org.slug}/demo`, name: 'demo', next_pipeline_number: 2, next_job_number: 2 }));
  const admin = { kind: 'user' as const, userId: users.admin!, orgId: org.id, role: 'admin' as const, email: 'a@x', tokenId: null, scopes: ['*'] };
  await services.envVars.set(admin, { slug: project.slug, name: 'FOO', value: PROJECT_SECRET, info: {} });
  const context = await services.contexts.create(admin, { name: 'deploy', info: {} });
  await services.contexts.setVar(admin, { id: context.id, name: 'BAR', value: CONTEXT_SECRET, info: {} });
  const restriction = await services.contexts.addRestriction(admin, { id: context.id, type: 'project', value: project.id });
  const key = await services.checkoutKeys.create(admin, { slug: project.slug, type: 'deploy-key', info: {} });
  const group = await services.groups.create(admin, 'ops');
  const personal = await services.tokens.createPersonal(admin, { name: 'target', info: {} });
  const projectToken = await services.tokens.createForProject(admin, { slug: project.slug, name: 'ci', info: {} });
  const now = nowIso();
  const pipelineId = newId();
  await repos.pipelines.create({ id: pipelineId, project_id: project.id, org_id: org.id, number: 1, state: 'created', trigger_type: 'api', trigger_actor_id: users.admin!, branch: 'main', tag: null, revision: 'abc', parameters: '{}', errors: '[]', created_at: now, updated_at: now });
  const workflow = await repos.workflows.create({ id: newId(), pipeline_id: pipelineId, project_id: project.id, name: 'wf', status: 'running', created_at: now, stopped_at: null });
  await repos.jobs.createMany([{ id: newId(), workflow_id: workflow.id, pipeline_id: pipelineId, project_id: project.id, org_id: org.id, name: 'build', type: 'build', number: 1, status: 'success', requires: '[]', contexts: '[]', plan: null, resource_class: 'medium', parallelism: 1, status_reason: null, approved_by: null, created_at: now, queued_at: now, started_at: now, stopped_at: now }]);
  const [vcs, orgSlug, name] = project.slug.split('/') as [string, string, string];
  return {
    tokens, services, repos,
    params: {
      vcs, org: orgSlug, name, envName: 'FOO', fingerprint: encodeURIComponent(key.fingerprint), number: '1', restrictionId: restriction.id,
      userId: users.member!, pipeline: pipelineId, workflow: workflow.id, context: context.id, group: group.id,
      personalToken: personal.id, projectToken: projectToken.id,
    },
  };
}

function fillUrl(url: string, params: Record<string, string>): string {
  return url.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    if (name !== 'id') return params[name] ?? 'x';
    if (url.startsWith('/api/v2/pipeline/')) return params.pipeline!;
    if (url.startsWith('/api/v2/workflow/')) return params.workflow!;
    if (url.startsWith('/api/v2/context/')) return params.context!;
    if (url.startsWith('/api/v2/group/')) return params.group!;
    if (url.startsWith('/api/v2/me/token/')) return params.personalToken!;
    if (url.includes('/token/')) return params.projectToken!;
    return newId();
  });
}

/** A body that passes each route's schema, so access is what decides the answer. */
function bodyFor(method: string, url: string): unknown {
  if (method === 'GET' || method === 'DELETE') return undefined;
  if (url === '/api/v2/session') return { email: 'nobody@example.test', password: 'wrong-password' };
  if (url === '/api/v2/setup') return { code: 'nope', email: 'a@b.c', password: 'x'.repeat(12) };
  if (url === '/api/v2/project') return { name: `p${newId().slice(0, 6)}`, repo_url: 'file:///nonexistent' };
  if (url.endsWith('/pipeline')) return {};
  if (url.endsWith('/envvar')) return { name: 'NEW_VAR', value: 'some-new-value-123' };
  if (url.endsWith('/token')) return { name: 'matrix' };
  if (url === '/api/v2/user') return { email: `u${newId().slice(0, 6)}@example.test`, role: 'viewer', password: 'x'.repeat(16) };
  if (url === '/api/v2/group') return { name: `g${newId().slice(0, 6)}` };
  if (url === '/api/v2/context') return { name: `c${newId().slice(0, 6)}` };
  if (url.includes('/environment-variable/')) return { value: 'another-secret-value-xyz' };
  if (url.endsWith('/restrictions')) return { restriction_type: 'group', restriction_value: newId() };
  if (url.endsWith('/checkout-key')) return { type: 'additional' };
  if (url.endsWith('/security-settings')) return { fork_pr_secrets: false };
  if (url === '/api/v2/secrets/rotate') return { rotate: false };
  return {};
}

const PUBLIC = new Set(['GET /healthz', 'GET /api/v2/setup', 'POST /api/v2/setup', 'POST /api/v2/session']);

for (const dialect of DIALECTS) {
  describe(`${dialect}: permission matrix`, async () => {
    const skip = await skipReason(dialect);
    let database: TestDatabase;
    let fixture: Fixture;
    let app: FastifyInstance;
    let dir: string;
    const accessOf = new Map<string, Access>();

    before(async () => {
      if (skip) return;
      database = await createTestDatabase(dialect);
      dir = mkdtempSync(join(tmpdir(), 'kiln-matrix-'));
      const repos = createRepositories(database.store);
      const services = createServices({
        repos, bus: new MemoryEventBus(), logger: silentLogger(), blobs: openBlobStore(join(dir, 'blobs')), git: new GitMirrors(join(dir, 'git')),
        publicUrl: 'http://localhost', leaseSeconds: 30, heartbeatSeconds: 5, keys: new SecretKeys({ ring: generateKeyRing(), source: 'test' }),
      });
      const built = await buildApp({ services, logger: silentLogger() });
      app = built.app;
      app.addHook('onRoute', () => undefined);
      await app.ready();
      // Routes as Fastify reports them, with the access rule each declared (onRoute collector).
      const declared = new Map(built.routeTable().map((r) => [`${r.method} ${r.url}`, r.access]));
      for (const route of enumerateRoutes(app)) {
        const access = declared.get(`${route.method} ${route.url}`);
        assert.ok(access, `${route.method} ${route.url} declares an access rule`);
        accessOf.set(`${route.method} ${route.url}`, access);
      }
      fixture = await seed(repos, services);
    });
    after(async () => { await app?.close(); await database?.drop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

    it('enumerates every route with an access rule', { skip }, () => {
      const routes = enumerateRoutes(app);
      assert.ok(routes.length >= 40, `expected the full API, got ${routes.length} routes`);
      assert.ok([...accessOf.values()].filter((a) => typeof a === 'object').length >= 30, 'role-protected routes were found');
      for (const key of ['POST /api/v2/session', 'GET /api/v2/context/:id/environment-variable', 'DELETE /api/v2/project/:vcs/:org/:name/checkout-key/:fingerprint']) {
        assert.ok(accessOf.has(key), `${key} is registered`);
      }
    });

    it('answers each caller as its role allows, 404s other organisations, never 500s, never returns a value', { skip }, async () => {
      const failures: string[] = [];
      const routes = enumerateRoutes(app).filter((r) => r.url !== '/api/v2/ws');
      // Destructive routes last, so the fixtures exist for everything else.
      routes.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
      for (const identity of ['anonymous', 'viewer', 'other', 'member', 'admin'] as const) {
        for (const route of routes) {
          const key = `${route.method} ${route.url}`;
          const access = accessOf.get(key)!;
          const url = fillUrl(route.url, fixture.params);
          const body = bodyFor(route.method, route.url);
          const response = await app.inject({
            method: route.method as 'GET', url,
            headers: identity === 'anonymous' ? {} : { authorization: `Bearer ${fixture.tokens[identity]}` },
            ...(body === undefined ? {} : { payload: body as object }),
          });
          const status = response.statusCode;
          const where = `${identity} ${key} → ${status} ${response.body.slice(0, 160)}`;
          if (status >= 500) failures.push(`500: ${where}`);
          for (const secret of [PROJECT_SECRET, CONTEXT_SECRET, 'another-secret-value-xyz', 'some-new-value-123', 'PRIVATE KEY']) {
            if (response.body.includes(secret)) failures.push(`value leaked: ${where}`);
          }
          if (PUBLIC.has(key)) continue;
          if (access === 'public') continue;
          if (identity === 'anonymous') {
            if (status !== 401) failures.push(`expected 401: ${where}`);
            continue;
          }
          if (access === 'runner') {
            if (status !== 403) failures.push(`expected 403 for a user on a runner route: ${where}`);
            continue;
          }
          const role = identity === 'other' ? 'admin' : identity;
          if (!roleAtLeast(role, access.role)) {
            if (status !== 403) failures.push(`expected 403: ${where}`);
            continue;
          }
          if (identity === 'other' && route.url.includes(':')) {
            if (status !== 404) failures.push(`expected 404 for another organisation: ${where}`);
            continue;
          }
          if (status === 401 || status === 403) failures.push(`unexpected ${status}: ${where}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  });
}
