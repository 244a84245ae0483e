/**
 * `GET /metrics` (Prometheus) and the audit destination routes, on the real app: access modes,
 * route-template labels (never raw URLs or ids), DB-collected gauges, and that neither a secret
 * nor an audit payload reaches the metrics. Destinations: encrypted secret, pause state visible,
 * audit_log.destination.* recorded, other organisations 404.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DIALECTS, createTestDatabase, skipReason, type TestDatabase } from '../../test/support/databases.js';
import { buildOrg, buildProject, buildUser } from '../../test/support/factories.js';
import { queryAuditLog, verifyAuditDelivery } from '../audit/index.js';
import { openBlobStore } from '../blobs/index.js';
import { GitMirrors } from '../scm/git-mirror.js';
import { SecretKeys, generateKeyRing } from '../secrets/index.js';
import { hashToken, newId, newToken } from '../shared/ids.js';
import { silentLogger } from '../shared/logger.js';
import { nowIso } from '../shared/time.js';
import { createRepositories, type Repositories, type Role } from '../store/index.js';
import { buildApp } from './app.js';
import { startAuditBackground } from './audit-background.js';
import { MemoryEventBus } from './live/event-bus.js';
import type { MetricsAccess } from './metrics.js';
import { createServices, type ServerServices } from './services/index.js';
import { loadAuditSigner } from '../audit/index.js';

const SECRET_VALUE = 'metrics-must-not-see-this-0123456789';
const METRICS_TOKEN = 'prometheus-scrape-token-abcdef';

interface Env {
  repos: Repositories;
  services: ServerServices;
  keys: SecretKeys;
  tokens: Record<'viewer' | 'member' | 'admin' | 'other', string>;
  orgId: string;
  projectSlug: string;
  pipelineId: string;
}

async function seed(repos: Repositories, services: ServerServices, keys: SecretKeys): Promise<Env> {
  const org = await repos.orgs.create(buildOrg());
  const other = await repos.orgs.create(buildOrg());
  const tokens = {} as Env['tokens'];
  let adminId = '';
  for (const [key, orgId, role] of [['viewer', org.id, 'viewer'], ['member', org.id, 'member'], ['admin', org.id, 'admin'], ['other', other.id, 'admin']] as const) {
    const user = await repos.users.create(buildUser(orgId, { role: role as Role }));
    if (key === 'admin') adminId = user.id;
    const token = newToken('kiln');
    await repos.tokens.create({ id: newId(), org_id: orgId, user_id: user.id, project_id: null, name: key, token_hash: hashToken(token), scopes: '["*"]', created_at: nowIso(), last_used_at: null, revoked_at: null });
    tokens[key] = token;
  }
  const project = await repos.projects.create(buildProject(org.id, { next_pipeline_number: 2, next_job_number: 3 }));
  const admin = { kind: 'user' as const, userId: adminId, orgId: org.id, role: 'admin' as const, email: 'a@x', tokenId: null, scopes: ['*'] };
  await services.envVars.set(admin, { slug: project.slug, name: 'SECRET', value: SECRET_VALUE, info: {} });
  const now = nowIso();
  const pipelineId = newId();
  await repos.pipelines.create({ id: pipelineId, project_id: project.id, org_id: org.id, number: 1, state: 'created', trigger_type: 'api', trigger_actor_id: adminId, branch: 'main', tag: null, revision: 'abc', parameters: '{}', errors: '[]', created_at: now, updated_at: now });
  const workflow = await repos.workflows.create({ id: newId(), pipeline_id: pipelineId, project_id: project.id, name: 'wf', status: 'running', created_at: now, stopped_at: null });
  const job = (status: string, number: number) => ({
    id: newId(), workflow_id: workflow.id, pipeline_id: pipelineId, project_id: project.id, org_id: org.id, name: `j${number}`, type: 'build', number, status,
    requires: '[]', contexts: '[]', plan: null, resource_class: 'medium', parallelism: 1, status_reason: null, approved_by: null, created_at: now, queued_at: now, started_at: null, stopped_at: null,
  });
  const queued = job('queued', 1);
  await repos.jobs.createMany([queued, job('success', 2)]);
  await repos.tasks.createMany([0, 1].map((i) => ({
    id: newId(), job_id: queued.id, node_index: i, status: 'queued', resource_class: 'medium', executor: 'docker', runner_id: null, lease_token: 0,
    lease_expires_at: null, cancel_requested: 0, failure_reason: null, created_at: now, started_at: null, stopped_at: null,
  })));
  return { repos, services, keys, tokens, orgId: org.id, projectSlug: project.slug, pipelineId };
}

async function makeApp(env: { services: ServerServices; keys: SecretKeys }, metrics: MetricsAccess): Promise<FastifyInstance> {
  const { app } = await buildApp({ services: env.services, logger: silentLogger(), keys: env.keys, metrics });
  await app.ready();
  return app;
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

for (const dialect of DIALECTS) {
  describe(`${dialect}: /metrics and audit destinations`, async () => {
    const skip = await skipReason(dialect);
    let database: TestDatabase;
    let dir: string;
    let env: Env;
    let app: FastifyInstance;

    before(async () => {
      if (skip) return;
      database = await createTestDatabase(dialect);
      dir = mkdtempSync(join(tmpdir(), 'kiln-metrics-'));
      const repos = createRepositories(database.store);
      const keys = new SecretKeys({ ring: generateKeyRing(), source: 'test' });
      const services = createServices({
        repos, bus: new MemoryEventBus(), logger: silentLogger(), blobs: openBlobStore(join(dir, 'blobs')), git: new GitMirrors(join(dir, 'git')),
        publicUrl: 'http://localhost', leaseSeconds: 30, heartbeatSeconds: 5, keys,
      });
      env = await seed(repos, services, keys);
      app = await makeApp(env, { mode: 'admin' });
    });
    after(async () => { await app?.close(); await database?.drop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

    it('answers admins only by default, with request, queue, job, websocket and process metrics', { skip }, async () => {
      assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
      assert.equal((await app.inject({ method: 'GET', url: '/metrics', headers: auth(env.tokens.member) })).statusCode, 403);
      assert.equal((await app.inject({ method: 'GET', url: '/metrics', headers: auth(env.tokens.viewer) })).statusCode, 403);
      // Traffic with ids and a query string in the URL, and one that matches no route.
      const [vcs, org, name] = env.projectSlug.split('/');
      await app.inject({ method: 'GET', url: `/api/v2/project/${vcs}/${org}/${name}/envvar?page-token=${SECRET_VALUE}`, headers: auth(env.tokens.admin) });
      await app.inject({ method: 'GET', url: `/api/v2/pipeline/${env.pipelineId}`, headers: auth(env.tokens.admin) });
      await app.inject({ method: 'GET', url: '/api/v2/audit-log', headers: auth(env.tokens.admin) });
      await app.inject({ method: 'PATCH', url: `/no/such/${newId()}` });

      const response = await app.inject({ method: 'GET', url: '/metrics', headers: auth(env.tokens.admin) });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const body = response.body;
      assert.match(body, /kiln_http_requests_total\{method="GET",route="\/api\/v2\/project\/:vcs\/:org\/:name\/envvar",status_code="200"\} 1/);
      assert.match(body, /kiln_http_requests_total\{method="GET",route="\/api\/v2\/pipeline\/:id",status_code="200"\} 1/);
      assert.match(body, /kiln_http_requests_total\{method="GET",route="\/metrics",status_code="401"\} 1/);
      assert.match(body, /kiln_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/api\/v2\/pipeline\/:id",status_code="200"\}/);
      assert.match(body, /kiln_http_request_duration_seconds_count\{method="GET",route="\/api\/v2\/audit-log",status_code="200"\} 1/);
      assert.match(body, /^kiln_queue_depth 2$/m);
      assert.match(body, /^kiln_jobs\{state="queued"\} 1$/m);
      assert.match(body, /^kiln_jobs\{state="success"\} 1$/m);
      assert.match(body, /^kiln_jobs\{state="running"\} 0$/m);
      assert.match(body, /^kiln_websocket_clients 0$/m);
      assert.match(body, /^kiln_process_cpu_user_seconds_total /m);
      assert.match(body, /^kiln_nodejs_heap_size_total_bytes /m);
      // Labels come from route templates: no id, query string, secret or audit payload.
      for (const forbidden of [env.pipelineId, org!, SECRET_VALUE, 'page-token', '/no/such', 'audit_log.read', env.orgId, env.tokens.admin]) {
        assert.ok(!body.includes(forbidden), `metrics must not contain ${forbidden}`);
      }
      assert.match(body, /route="unmatched"/);
    });

    it('is public only with --metrics-public, and takes KILN_METRICS_TOKEN in constant time', { skip }, async () => {
      const open = await makeApp(env, { mode: 'public' });
      try {
        assert.equal((await open.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
      } finally { await open.close(); }
      const tokened = await makeApp(env, { mode: 'token', token: METRICS_TOKEN });
      try {
        assert.equal((await tokened.inject({ method: 'GET', url: '/metrics', headers: auth(METRICS_TOKEN) })).statusCode, 200);
        assert.equal((await tokened.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
        assert.equal((await tokened.inject({ method: 'GET', url: '/metrics', headers: auth(`${METRICS_TOKEN}x`) })).statusCode, 401);
        assert.equal((await tokened.inject({ method: 'GET', url: '/metrics', headers: auth(env.tokens.member) })).statusCode, 403);
        assert.equal((await tokened.inject({ method: 'GET', url: '/metrics', headers: auth(env.tokens.admin) })).statusCode, 200);
      } finally { await tokened.close(); }
    });

    it('adds, lists, delivers to, pauses, resumes and deletes destinations; each change audited in its transaction', { skip }, async () => {
      const received: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
      let failing = true;
      const receiver: Server = createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => { body += d.toString(); });
        req.on('end', () => { received.push({ headers: req.headers, body }); res.statusCode = failing ? 500 : 204; res.end(); });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const port = (receiver.address() as { port: number }).port;
      const signer = loadAuditSigner({ keyPath: join(dir, 'audit-signing.pem') });
      const background = startAuditBackground({ db: env.repos.store.db, keys: env.keys, signer, logger: silentLogger(), deliveryIntervalMs: 3_600_000 });
      try {
        const url = '/api/v2/audit-log/destinations';
        assert.equal((await app.inject({ method: 'POST', url, payload: { name: 'siem', url: `http://127.0.0.1:${port}/hook` } })).statusCode, 401);
        assert.equal((await app.inject({ method: 'POST', url, headers: auth(env.tokens.member), payload: { name: 'siem', url: `http://127.0.0.1:${port}/hook` } })).statusCode, 403);
        assert.equal((await app.inject({ method: 'POST', url, headers: auth(env.tokens.admin), payload: { name: 'bad', url: 'http://example.com/hook' } })).statusCode, 400);
        const created = await app.inject({ method: 'POST', url, headers: auth(env.tokens.admin), payload: { name: 'siem', url: `http://127.0.0.1:${port}/hook` } });
        assert.equal(created.statusCode, 201, created.body);
        const destination = created.json() as { id: string; secret: string; status: string };
        assert.match(destination.secret, /^kiln_whsec_/);
        assert.equal(destination.status, 'active');

        // The secret is stored encrypted, outside the audit tables, and never listed.
        const stored = await env.repos.store.db.selectFrom('kv').selectAll().where('key', 'like', 'audit.destination.secret.%').execute();
        assert.equal(stored.length, 1);
        assert.ok(stored[0]!.value.startsWith('vault:v'), 'ciphertext in the key ring format');
        assert.ok(!stored[0]!.value.includes(destination.secret));
        const row = await env.repos.store.db.selectFrom('audit_destinations').selectAll().where('id', '=', destination.id).executeTakeFirstOrThrow();
        assert.ok(!JSON.stringify(row).includes(destination.secret));
        const listed = await app.inject({ method: 'GET', url, headers: auth(env.tokens.admin) });
        assert.ok(!listed.body.includes(destination.secret));
        assert.deepEqual((listed.json() as { items: Array<{ id: string }> }).items.map((d) => d.id), [destination.id]);
        assert.deepEqual((await app.inject({ method: 'GET', url, headers: auth(env.tokens.other) })).json(), { items: [] });
        assert.equal((await app.inject({ method: 'DELETE', url: `${url}/${destination.id}`, headers: auth(env.tokens.other) })).statusCode, 404);
        assert.equal((await app.inject({ method: 'POST', url: `${url}/${destination.id}/resume`, headers: auth(env.tokens.other) })).statusCode, 404);

        // Failing receiver: ten failures pause it, visibly.
        for (let i = 0; i < 10; i++) {
          await env.repos.store.db.updateTable('audit_destinations').set({ retry_at: null }).where('id', '=', destination.id).execute();
          await env.repos.store.db.updateTable('audit_outbox').set({ next_attempt_at: nowIso() }).execute();
          await background.delivery.runOnce();
        }
        const paused = (await app.inject({ method: 'GET', url, headers: auth(env.tokens.admin) })).json() as { items: Array<{ status: string; last_error: string; pending: number; consecutive_failures: number }> };
        assert.equal(paused.items[0]!.status, 'paused');
        assert.equal(paused.items[0]!.last_error, 'HTTP 500');
        assert.equal(paused.items[0]!.consecutive_failures, 10);
        assert.ok(paused.items[0]!.pending >= 1);

        failing = false;
        const resumed = await app.inject({ method: 'POST', url: `${url}/${destination.id}/resume`, headers: auth(env.tokens.admin) });
        assert.equal(resumed.statusCode, 200, resumed.body);
        assert.equal((resumed.json() as { status: string }).status, 'active');
        await env.repos.store.db.updateTable('audit_outbox').set({ next_attempt_at: nowIso() }).execute();
        received.length = 0;
        const tick = await background.delivery.runOnce();
        assert.ok(tick.delivered >= 1);
        for (const delivery of received) {
          assert.deepEqual(verifyAuditDelivery({ secret: destination.secret, header: delivery.headers['kiln-signature'] as string, body: delivery.body }).ok, true);
        }

        assert.equal((await app.inject({ method: 'DELETE', url: `${url}/${destination.id}`, headers: auth(env.tokens.admin) })).statusCode, 200);
        assert.equal((await env.repos.store.db.selectFrom('kv').selectAll().where('key', 'like', 'audit.destination.secret.%').execute()).length, 0);
        assert.deepEqual((await app.inject({ method: 'GET', url, headers: auth(env.tokens.admin) })).json(), { items: [] });

        const events = (await queryAuditLog(env.repos.store.db, { orgId: env.orgId, actionPrefix: 'audit_log.destination', order: 'asc' })).items;
        assert.deepEqual(events.map((e) => [e.action, e.payload]), [
          ['audit_log.destination.create', { name: 'siem', url: `http://127.0.0.1:${port}/hook` }],
          ['audit_log.destination.update', { name: 'siem', status: 'active' }],
          ['audit_log.destination.delete', { name: 'siem' }],
        ]);
        for (const e of events) {
          assert.equal(e.target.id, destination.id);
          assert.equal(e.target.type, 'audit_destination');
          assert.equal(e.success, true);
          assert.ok(e.request?.id);
          assert.ok(!JSON.stringify(e).includes(destination.secret));
        }
      } finally {
        await background.stop();
        receiver.close();
      }
    });
  });
}
