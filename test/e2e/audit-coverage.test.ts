/**
 * Issue 5 acceptance, "Events": on a real Kiln (server + built-in runner on Docker), perform each
 * security action Kiln has, through the HTTP API as a user would, then read the log back through
 * `GET /api/v2/audit-log` and check that each action produced exactly one event, with every field
 * valid (seed field order, types, catalogue payload schema and target type, organisation scope,
 * request id for request-caused events). Finally the chain verifies.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AUDIT_ACTIONS, AUDIT_FIELDS, isAuditAction, isAuditTimestamp, verifyAuditLog, type AuditEvent } from '../../src/audit/index.js';
import { sleep } from '../../src/shared/time.js';
import { openStore } from '../../src/store/index.js';
import { ADMIN_TOKEN, createRepo, ensureTestImages, startKiln, type TestKiln } from '../support/kiln.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

interface Answer { status: number; body: unknown; headers: Headers }

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(200);
  }
}

/** Every problem with one event's fields (empty when valid). */
function fieldProblems(event: AuditEvent, orgId: string): string[] {
  const problems: string[] = [];
  const raw = event as unknown as Record<string, unknown>;
  if (JSON.stringify(Object.keys(raw)) !== JSON.stringify(AUDIT_FIELDS)) problems.push(`fields ${Object.keys(raw).join(',')}`);
  if (!ACTION.test(event.action) || !isAuditAction(event.action)) problems.push(`action ${event.action}`);
  for (const name of ['actor', 'target', 'scope'] as const) {
    const e = event[name] as unknown as Record<string, unknown>;
    if (typeof e !== 'object' || e === null) { problems.push(`${name} not an object`); continue; }
    if (Object.keys(e).some((k) => !['id', 'type', 'name'].includes(k))) problems.push(`${name} has extra keys`);
    if (typeof e.id !== 'string' || !e.id) problems.push(`${name}.id`);
    if (typeof e.type !== 'string' || !/^[a-z][a-z0-9_]*$/.test(e.type)) problems.push(`${name}.type`);
    if (e.name !== undefined && typeof e.name !== 'string') problems.push(`${name}.name`);
  }
  if (!['user', 'api_token', 'runner', 'system', 'anonymous'].includes(event.actor.type)) problems.push(`actor.type ${event.actor.type}`);
  if (event.scope.id !== orgId || event.scope.type !== 'organization') problems.push('scope is not the organisation');
  if (isAuditAction(event.action)) {
    const spec = AUDIT_ACTIONS[event.action];
    if (!spec.targetTypes.includes(event.target.type)) problems.push(`target.type ${event.target.type}`);
    spec.payload.check(event.payload, 'payload', problems);
    if (event.version !== spec.version) problems.push('version');
  }
  if (!isAuditTimestamp(event.occurred_at) || !/\.\d{1,9}Z$/.test(event.occurred_at)) problems.push(`occurred_at ${event.occurred_at}`);
  const occurredMs = Date.parse(event.occurred_at);
  if (!(Math.abs(Date.now() - occurredMs) < 15 * 60_000)) problems.push('occurred_at is not now');
  if (typeof event.metadata !== 'object' || event.metadata === null || Object.values(event.metadata).some((v) => typeof v !== 'string')) problems.push('metadata');
  if (!UUID.test(event.id)) problems.push('id');
  if (event.version !== 1) problems.push('version is not 1');
  if (typeof event.success !== 'boolean') problems.push('success');
  if (event.request !== null && !(typeof event.request === 'object' && Object.keys(event.request).length === 1 && typeof event.request.id === 'string' && event.request.id)) problems.push('request');
  return problems;
}

describe('every security action records exactly one valid audit event', { timeout: 300_000 }, () => {
  let kiln: TestKiln;
  let projectCreateEvents = -1;
  let approveRequest: AuditEvent['request'] | undefined;
  before(async () => { ensureTestImages(); kiln = await startKiln(); });
  after(async () => { await kiln?.stop(); });

  async function call(method: string, path: string, options: { body?: unknown; token?: string | null; cookie?: string; csrf?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (options.token !== null) headers.authorization = `Bearer ${options.token ?? ADMIN_TOKEN}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.cookie) headers.cookie = options.cookie;
    if (options.csrf) headers['x-csrf-token'] = options.csrf;
    const response = await fetch(`${kiln.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await response.text();
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* not JSON */ }
    return { status: response.status, body, headers: response.headers };
  }
  const ok = async (method: string, path: string, options: Parameters<typeof call>[2] = {}): Promise<Record<string, unknown>> => {
    const answer = await call(method, path, options);
    assert.ok(answer.status >= 200 && answer.status < 300, `${method} ${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as Record<string, unknown>;
  };

  async function readLog(): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let token: string | null = null;
    do {
      const page = await ok('GET', `/api/v2/audit-log?limit=1000${token ? `&page_token=${token}` : ''}`) as { items: AuditEvent[]; next_page_token: string | null };
      events.push(...page.items);
      token = page.next_page_token;
    } while (token);
    return events.reverse();
  }

  it('covers contexts, variables, keys, tokens, users, sessions, settings, runners and the job lifecycle', async () => {
    const me = await ok('GET', '/api/v2/me') as { id: string; organization_id?: string };
    const orgId = (await ok('GET', '/api/v2/session') as { organization_id?: string; org_id?: string }).organization_id ?? me.organization_id ?? '';

    // Contexts and their variables.
    const context = await ok('POST', '/api/v2/context', { body: { name: 'audit-ctx' } }) as { id: string };
    await ok('PUT', `/api/v2/context/${context.id}/environment-variable/DEPLOY_KEY`, { body: { value: 'context-secret-value-123456' } });
    await ok('DELETE', `/api/v2/context/${context.id}/environment-variable/DEPLOY_KEY`);
    await ok('DELETE', `/api/v2/context/${context.id}`);

    // A project with a pipeline: build runs, then an approval.
    const repo = createRepo(`version: 2.1
jobs:
  build: { docker: [{ image: kiln-test/sh:1 }], steps: [{ run: echo built }] }
workflows:
  w:
    jobs:
      - build
      - hold: { type: approval, requires: [build] }
`);
    const project = await kiln.client.createProject({ name: 'audited', repo_url: repo.url });
    const slugPath = `/api/v2/project/${project.slug}`;
    await ok('POST', `${slugPath}/envvar`, { body: { name: 'API_KEY', value: 'project-secret-value-123456' } });
    await ok('DELETE', `${slugPath}/envvar/API_KEY`);
    const key = await ok('POST', `${slugPath}/checkout-key`, { body: { type: 'deploy-key' } }) as { fingerprint: string };
    await ok('DELETE', `${slugPath}/checkout-key/${encodeURIComponent(key.fingerprint)}`);
    const projectToken = await ok('POST', `${slugPath}/token`, { body: { name: 'ci-token' } }) as { id: string; token?: string };
    await ok('DELETE', `${slugPath}/token/${projectToken.id}`);
    const personal = await ok('POST', '/api/v2/me/token', { body: { name: 'laptop' } }) as { id: string };
    await ok('DELETE', `/api/v2/me/token/${personal.id}`);
    await ok('PATCH', `${slugPath}/security-settings`, { body: { fork_pr_secrets: true } });

    // Users and sessions: create, a refused login, a login, a logout.
    const email = 'auditee@example.test';
    const password = 'correct horse battery staple';
    const user = await ok('POST', '/api/v2/user', { body: { email, role: 'member', password } }) as { id: string };
    const refused = await call('POST', '/api/v2/session', { token: null, body: { email, password: 'wrong password!' } });
    assert.equal(refused.status, 401);
    const login = await fetch(`${kiln.url}/api/v2/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    assert.equal(login.status, 200);
    const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const csrf = cookies.find((c) => c.startsWith('kiln_csrf='))!.slice('kiln_csrf='.length);
    await ok('DELETE', '/api/v2/session', { token: null, cookie: cookies.join('; '), csrf });

    // The job lifecycle, and the approval if this build has the route.
    const pipeline = await kiln.client.triggerPipeline(project.slug, {});
    const workflowId = (await kiln.client.pipelineWorkflows(pipeline.id)).items[0]!.id;
    const jobs = async () => new Map((await kiln.client.workflowJobs(workflowId)).items.map((j) => [j.name, j]));
    const hold = await until(async () => { const j = (await jobs()).get('hold'); return j?.status === 'on_hold' ? j : undefined; });
    const build = (await jobs()).get('build')!;
    assert.equal(build.status, 'success');
    const approval = await call('POST', `/api/v2/workflow/${workflowId}/approve/${hold.approval_request_id ?? hold.id}`);
    const approvable = approval.status !== 404 || !String(JSON.stringify(approval.body)).includes('Route');
    if (approvable) assert.equal(approval.status, 202, JSON.stringify(approval.body));
    repo.remove();

    // Read the log back through the API (this read is itself audited, and checked below).
    await until(async () => ((await readLog()).some((e) => e.action === 'workflow.job.approve' || !approvable) ? true : undefined), 10_000);
    const events = await readLog();
    const problems = events.flatMap((e) => fieldProblems(e, orgId).map((p) => `${e.action} ${e.id}: ${p}`));
    assert.deepEqual(problems, []);
    assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'ids are unique');

    const one = (action: string, match: (e: AuditEvent) => boolean = () => true): AuditEvent => {
      const found = events.filter((e) => e.action === action && match(e));
      assert.equal(found.length, 1, `exactly one ${action} (got ${found.length})`);
      return found[0]!;
    };
    const byUser = (e: AuditEvent) => e.actor.type === 'user' && e.request !== null;
    const ctx = one('context.create', byUser);
    assert.equal(ctx.target.id, context.id);
    assert.deepEqual(ctx.payload, { context_name: 'audit-ctx' });
    assert.deepEqual(one('context.env_var.store', byUser).payload, { context_name: 'audit-ctx', env_var_name: 'DEPLOY_KEY', replaced: false });
    assert.deepEqual(one('context.env_var.delete', byUser).payload, { context_name: 'audit-ctx', env_var_name: 'DEPLOY_KEY' });
    assert.equal(one('context.delete', byUser).target.id, context.id);
    projectCreateEvents = events.filter((e) => e.action === 'project.create' && e.target.id === project.id).length;
    assert.deepEqual(one('project.env_var.create', byUser).payload, { project_slug: project.slug, env_var_name: 'API_KEY' });
    assert.deepEqual(one('project.env_var.delete', byUser).payload, { project_slug: project.slug, env_var_name: 'API_KEY' });
    assert.equal(one('project.ssh_key.create', byUser).payload.fingerprint, key.fingerprint);
    assert.equal(one('project.ssh_key.delete', byUser).payload.fingerprint, key.fingerprint);
    assert.equal(one('project.api_token.create', byUser).payload.token_id, projectToken.id);
    assert.equal(one('api_token.create', byUser).target.id, personal.id);
    one('api_token.revoke', (e) => byUser(e) && e.target.id === projectToken.id);
    one('api_token.revoke', (e) => byUser(e) && e.target.id === personal.id);
    assert.equal(events.filter((e) => e.action === 'api_token.revoke').length, 2);
    assert.deepEqual(one('project.settings.update', byUser).payload, { project_slug: project.slug, changed_settings: ['fork_pr_secrets'] });
    assert.deepEqual(one('user.create', byUser).payload, { email, role: 'member' });
    const failed = one('user.logged_in', (e) => !e.success);
    assert.equal(failed.target.id, user.id);
    assert.ok(failed.request?.id);
    assert.equal(failed.payload.method, 'password');
    const good = one('user.logged_in', (e) => e.success);
    assert.equal(good.actor.id, user.id);
    assert.equal(one('user.logged_out').target.id, user.id);
    const runner = one('runner.register');
    assert.equal(runner.target.id, kiln.runnerId);
    assert.deepEqual(runner.payload.executors, ['docker']);
    const scheduled = one('workflow.job.scheduled', (e) => e.target.id === build.id);
    assert.equal(scheduled.payload.job_name, 'build');
    assert.equal(scheduled.payload.project_slug, project.slug);
    const started = one('workflow.job.start', (e) => e.target.id === build.id);
    assert.equal(started.actor.type, 'runner');
    assert.equal(started.payload.runner_id, kiln.runnerId);
    assert.equal(one('workflow.job.finish', (e) => e.target.id === build.id).payload.status, 'success');
    if (approvable) {
      const approve = one('workflow.job.approve');
      assert.equal(approve.target.id, hold.id);
      assert.equal(approve.actor.type, 'user');
      approveRequest = approve.request;
    }
    assert.ok(events.some((e) => e.action === 'audit_log.read'), 'reading the log is audited');
    // Every event a request caused carries its id; one request never shares an id with another.
    for (const e of events.filter((x) => x.actor.type === 'user' && x.action !== 'workflow.job.approve')) assert.ok(e.request?.id, `${e.action} has its request id`);

    // Exporting is audited exactly once per export.
    const csv = await call('GET', '/api/v2/audit-log?format=csv');
    assert.equal(csv.status, 200);
    assert.match(String(csv.body), /^action,actor,target,payload,occurred_at,metadata,id,version,scope,success,request\r\n/);
    assert.equal((await readLog()).filter((e) => e.action === 'audit_log.export').length, 1);

    // And the chain the server built verifies.
    const store = await openStore(`sqlite:${join(kiln.dataDir, 'kiln.db')}`);
    try {
      const result = await verifyAuditLog({ db: store.db });
      assert.equal(result.ok, true, JSON.stringify(result));
    } finally {
      await store.close();
    }
  });

  it('records workflow.job.approve with the request id', () => {
    assert.ok(approveRequest?.id);
  });

  it('records project.create', () => {
    assert.equal(projectCreateEvents, 1);
  });
});
