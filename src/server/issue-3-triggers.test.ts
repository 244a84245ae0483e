/**
 * Issue #3 through the HTTP API (both dialects): the orb store and pipelines that use it,
 * scheduled pipelines (API objects and legacy `triggers: schedule`) with audit events and
 * single firing, and setup pipelines continued once with a key taken from a claimed task.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DIALECTS, createTestDatabase, skipReason, type TestDatabase } from '../../test/support/databases.js';
import { buildOrg, buildUser } from '../../test/support/factories.js';
import { openBlobStore } from '../blobs/index.js';
import { GitMirrors } from '../scm/git-mirror.js';
import { hashToken, newId, newToken } from '../shared/ids.js';
import { silentLogger } from '../shared/logger.js';
import { nowIso } from '../shared/time.js';
import { createRepositories, type Repositories, type Role } from '../store/index.js';
import { buildApp } from './app.js';
import { MemoryEventBus } from './live/event-bus.js';
import { ContinuationService } from './services/continuation.service.js';
import { createServices, type ServerServices } from './services/index.js';

const ORB = `version: 2.1
description: test orb
commands:
  greet:
    parameters:
      who: { type: string, default: world }
    steps:
      - run: echo "ORB-GREETING << parameters.who >>"
`;

function gitRepo(dir: string, config: string): { url: string; commit(config: string): void } {
  const path = mkdtempSync(join(dir, 'repo-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@x', ...args], { cwd: path, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  const commit = (text: string) => {
    mkdirSync(join(path, '.circleci'), { recursive: true });
    writeFileSync(join(path, '.circleci', 'config.yml'), text);
    git('add', '-A');
    git('commit', '-q', '-m', 'c', '--allow-empty');
  };
  commit(config);
  return { url: `file://${path}`, commit };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: orbs, schedules and continuations over the API`, async () => {
    const skip = await skipReason(dialect);
    let database: TestDatabase;
    let repos: Repositories;
    let services: ServerServices;
    let app: FastifyInstance;
    let dir: string;
    let orgId: string;
    const tokens: Record<string, string> = {};
    const call = async (who: string, request: string, payload?: unknown) => {
      const [method, url] = request.split(' ') as [string, string];
      const response = await app.inject({ method: method as 'GET', url, headers: who === 'anonymous' ? {} : { authorization: `Bearer ${tokens[who]}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
      return { status: response.statusCode, body: response.body ? JSON.parse(response.body) as Record<string, unknown> : {} };
    };
    const project = async (name: string, config: string) => {
      const repo = gitRepo(dir, config);
      const created = await call('admin', 'POST /api/v2/project', { name, repo_url: repo.url });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return { slug: created.body.slug as string, repo };
    };

    before(async () => {
      if (skip) return;
      database = await createTestDatabase(dialect);
      dir = mkdtempSync(join(tmpdir(), 'kiln-issue3-'));
      repos = createRepositories(database.store);
      services = createServices({
        repos, bus: new MemoryEventBus(), logger: silentLogger(), blobs: openBlobStore(join(dir, 'blobs')), git: new GitMirrors(join(dir, 'git')),
        publicUrl: 'http://localhost', leaseSeconds: 30, heartbeatSeconds: 5,
      });
      app = (await buildApp({ services, logger: silentLogger() })).app;
      await app.ready();
      orgId = (await repos.orgs.create(buildOrg({ slug: 'default' }))).id;
      const other = (await repos.orgs.create(buildOrg())).id;
      for (const [who, org, role] of [['admin', orgId, 'admin'], ['member', orgId, 'member'], ['viewer', orgId, 'viewer'], ['other', other, 'admin']] as const) {
        const user = await repos.users.create(buildUser(org, { role: role as Role }));
        tokens[who] = newToken('kiln');
        await repos.tokens.create({ id: newId(), org_id: org, user_id: user.id, project_id: null, name: who, token_hash: hashToken(tokens[who]!), scopes: '["*"]', created_at: nowIso(), last_used_at: null, revoked_at: null });
      }
    });
    after(async () => { await app?.close(); await database?.drop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

    it('publishes orbs (admin only, immutable versions, YAML checked) and lists and reads them', { skip }, async () => {
      const body = { namespace: 'acme', name: 'tools', version: '1.2.3', source: ORB };
      assert.equal((await call('member', 'POST /api/v2/orbs', body)).status, 403);
      assert.equal((await call('anonymous', 'POST /api/v2/orbs', body)).status, 401);
      assert.equal((await call('admin', 'POST /api/v2/orbs', body)).status, 201);
      assert.equal((await call('admin', 'POST /api/v2/orbs', body)).status, 409, 'versions are immutable');
      assert.equal((await call('admin', 'POST /api/v2/orbs', { ...body, version: '1.3.0', source: 'jobs: [1, 2' })).status, 400, 'YAML must parse');
      assert.equal((await call('admin', 'POST /api/v2/orbs', { ...body, version: '1.3.0', source: 'workflows: {}' })).status, 400, 'must be an orb');
      assert.equal((await call('admin', 'POST /api/v2/orbs', { ...body, version: '1.3' })).status, 400, 'X.Y.Z or dev:label');
      assert.equal((await call('admin', 'POST /api/v2/orbs', { ...body, version: '1.10.0', source: ORB.replace('ORB-GREETING', 'ORB-GREETING-1.10') })).status, 201);
      assert.equal((await call('admin', 'POST /api/v2/orbs', { ...body, version: 'dev:alpha', source: ORB.replace('ORB-GREETING', 'ORB-DEV') })).status, 201);
      const list = await call('viewer', 'GET /api/v2/orbs');
      assert.deepEqual((list.body.items as Array<{ versions: Array<{ version: string }> }>)[0]!.versions.map((v) => v.version), ['1.10.0', '1.2.3', 'dev:alpha']);
      assert.equal((await call('viewer', 'GET /api/v2/orbs/acme/tools')).body.name, 'tools');
      assert.equal((await call('viewer', 'GET /api/v2/orbs/acme/tools/1.2.3')).body.source, ORB);
      assert.equal((await call('viewer', 'GET /api/v2/orbs/acme/tools/1')).body.version, '1.10.0', 'X resolves to the highest X.*.*');
      assert.equal((await call('other', 'GET /api/v2/orbs/acme/tools')).status, 404, 'orbs are private to their organisation');
      assert.equal((await call('other', 'GET /api/v2/orbs')).body.items instanceof Array, true);
    });

    it('compiles pipelines with orbs from the store, and names a missing orb precisely', { skip }, async () => {
      const config = (ref: string) => `version: 2.1
orbs:
  t: ${ref}
jobs:
  build:
    docker: [{ image: kiln-test/sh:1 }]
    steps:
      - t/greet: { who: kiln }
workflows:
  main:
    jobs: [build]
`;
      for (const [ref, marker] of [['acme/tools@1.2', 'ORB-GREETING kiln'], ['acme/tools@volatile', 'ORB-GREETING-1.10 kiln'], ['acme/tools@dev:alpha', 'ORB-DEV kiln'], ['acme/tools@1.2.3', 'ORB-GREETING kiln']] as const) {
        const { slug } = await project(`orb-${newId().slice(0, 6)}`, config(ref));
        const created = await call('member', `POST /api/v2/project/${slug}/pipeline`, {});
        assert.equal(created.body.state, 'created', `${ref}: ${JSON.stringify(await call('member', `GET /api/v2/pipeline/${String(created.body.id)}`))}`);
        const plans = (await repos.store.db.selectFrom('jobs').select('plan').where('pipeline_id', '=', created.body.id as string).execute()).map((j) => j.plan ?? '');
        assert.ok(plans.some((p) => p.includes(marker)), `${ref} expands to ${marker}`);
      }
      const { slug } = await project('missing-orb', config('circleci/go@1.7'));
      const created = await call('member', `POST /api/v2/project/${slug}/pipeline`, {});
      assert.equal(created.body.state, 'errored');
      const pipeline = await call('member', `GET /api/v2/pipeline/${String(created.body.id)}`);
      assert.match((pipeline.body.errors as Array<{ message: string }>)[0]!.message,
        /orb circleci\/go@1\.7 is not available: not in this server's orb store \(publish it with kiln orb publish or import it with kiln orb import\)/);
    });

    it('creates, reads, updates and deletes schedules with audit events in the same transaction', { skip }, async () => {
      const { slug } = await project('scheduled', 'version: 2.1\njobs:\n  b:\n    docker: [{ image: kiln-test/sh:1 }]\n    steps: [{ run: echo hi }]\nworkflows:\n  w:\n    jobs: [b]\n');
      assert.equal((await call('other', `POST /api/v2/project/${slug}/schedule`, {})).status, 404);
      assert.equal((await call('member', `POST /api/v2/project/${slug}/schedule`, {})).status, 400);
      const bad = await call('member', `POST /api/v2/project/${slug}/schedule`, { name: 'x', timetable: { 'per-hour': 0, 'hours-of-day': [1], 'days-of-week': ['MON'] }, 'attribution-actor': 'current', parameters: { branch: 'main' } });
      assert.equal(bad.status, 400);
      const created = await call('member', `POST /api/v2/project/${slug}/schedule`, {
        name: 'nightly', description: 'every night', timetable: { 'per-hour': 2, 'hours-of-day': [3, 1], 'days-of-week': ['TUE', 'MON'] },
        'attribution-actor': 'current', parameters: { branch: 'main', deploy: true },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.cron, '0,30 1,3 * * 1,2');
      assert.deepEqual(created.body.timetable, { 'per-hour': 2, 'hours-of-day': [1, 3], 'days-of-week': ['MON', 'TUE'] });
      assert.equal(created.body['project-slug'], slug);
      assert.deepEqual(created.body.parameters, { branch: 'main', deploy: true });
      const id = created.body.id as string;
      assert.equal((await call('member', `POST /api/v2/project/${slug}/schedule`, { name: 'nightly', cron: '0 0 * * *', parameters: { branch: 'main' } })).status, 409);
      assert.equal((await call('viewer', `GET /api/v2/project/${slug}/schedule`)).body.items instanceof Array, true);
      assert.equal((await call('other', `GET /api/v2/schedule/${id}`)).status, 404);
      const patched = await call('member', `PATCH /api/v2/schedule/${id}`, { cron: '15 4 * * *', 'attribution-actor': 'system' });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.cron, '15 4 * * *');
      assert.equal(patched.body.timetable, null);
      assert.equal((patched.body.actor as { login: string }).login, 'system');
      assert.equal((await call('viewer', `DELETE /api/v2/schedule/${id}`)).status, 403);
      assert.equal((await call('member', `DELETE /api/v2/schedule/${id}`)).status, 200);
      assert.equal((await call('member', `GET /api/v2/schedule/${id}`)).status, 404);
      const events = await repos.store.db.selectFrom('audit_events').select(['action', 'payload']).where('target_id', '=', id).orderBy('seq').execute();
      assert.deepEqual(events.map((e) => e.action), ['schedule.create', 'schedule.update', 'schedule.delete']);
      assert.deepEqual(JSON.parse(events[0]!.payload), { project_slug: slug, schedule_name: 'nightly', cron: '0,30 1,3 * * 1,2', branch: 'main' });
      assert.deepEqual(JSON.parse(events[1]!.payload).changed_fields.sort(), ['attribution-actor', 'cron', 'timetable']);
    });

    it('fires a due schedule exactly once as a scheduled_pipeline, even with concurrent passes', { skip }, async () => {
      const { slug } = await project('fires', 'version: 2.1\nparameters:\n  deploy: { type: boolean, default: false }\njobs:\n  b:\n    docker: [{ image: kiln-test/sh:1 }]\n    steps: [{ run: echo "deploy=<< pipeline.parameters.deploy >> schedule=<< pipeline.schedule.name >>" }]\nworkflows:\n  w:\n    jobs: [b]\n');
      const created = await call('member', `POST /api/v2/project/${slug}/schedule`, { name: 'often', cron: '* * * * *', 'attribution-actor': 'current', parameters: { branch: 'main', deploy: true } });
      const id = created.body.id as string;
      await repos.schedules.update(id, { next_run_at: '2020-01-01T00:00:00.000Z' });
      const fired = await Promise.all([services.schedules.runDue(), services.schedules.runDue(), services.schedules.runDue()]);
      assert.equal(fired.reduce((a, b) => a + b, 0), 1);
      const pipelines = (await call('viewer', `GET /api/v2/project/${slug}/pipeline`)).body.items as Array<{ id: string; state: string; trigger: { type: string }; trigger_parameters: Record<string, unknown> }>;
      assert.equal(pipelines.length, 1);
      assert.equal(pipelines[0]!.trigger.type, 'scheduled_pipeline');
      assert.equal(pipelines[0]!.state, 'created');
      const plan = (await repos.store.db.selectFrom('jobs').select('plan').where('pipeline_id', '=', pipelines[0]!.id).executeTakeFirstOrThrow()).plan!;
      assert.match(plan, /deploy=true schedule=often/);
      assert.ok((await repos.schedules.getById(id))!.next_run_at > nowIso(), 'the next firing is in the future');
    });

    it('runs legacy `triggers: schedule` workflows of the default branch, and forgets removed triggers', { skip }, async () => {
      const config = `version: 2.1
jobs:
  b:
    docker: [{ image: kiln-test/sh:1 }]
    steps: [{ run: echo "source=<< pipeline.trigger_source >>" }]
workflows:
  on-push:
    jobs: [b]
  nightly:
    triggers:
      - schedule:
          cron: "0 2 * * *"
          filters: { branches: { only: [main, release] } }
    jobs: [b]
`;
      const { slug, repo } = await project('legacy', config);
      const proj = (await repos.projects.getBySlug(slug))!;
      await services.schedules.syncConfigTriggers(proj);
      const rows = await repos.schedules.listByProject(proj.id, 'config');
      assert.deepEqual(rows.map((r) => r.name).sort(), ['nightly@main 0 2 * * *', 'nightly@release 0 2 * * *']);
      assert.deepEqual((await call('viewer', `GET /api/v2/project/${slug}/schedule`)).body.items, [], 'config triggers are not API schedules');
      const main = rows.find((r) => r.name.startsWith('nightly@main'))!;
      await repos.schedules.update(main.id, { next_run_at: '2020-01-01T00:00:00.000Z' });
      await services.schedules.syncConfigTriggers(proj);
      assert.equal(await services.schedules.runDue(), 1);
      const pipelines = (await call('viewer', `GET /api/v2/project/${slug}/pipeline`)).body.items as Array<{ id: string; trigger: { type: string } }>;
      assert.equal(pipelines.length, 1);
      assert.equal(pipelines[0]!.trigger.type, 'scheduled_pipeline');
      const workflows = (await call('viewer', `GET /api/v2/pipeline/${pipelines[0]!.id}/workflow`)).body.items as Array<{ name: string }>;
      assert.deepEqual(workflows.map((w) => w.name), ['nightly'], 'only the scheduled workflow runs');
      const plan = (await repos.store.db.selectFrom('jobs').select('plan').where('pipeline_id', '=', pipelines[0]!.id).executeTakeFirstOrThrow()).plan!;
      assert.match(plan, /source=schedule/);
      repo.commit(config.replace(/ {2}nightly:[\s\S]*$/, ''));
      await repos.schedules.update(main.id, { next_run_at: '2020-01-01T00:00:00.000Z' });
      assert.equal(await services.schedules.runDue(), 0, 'a trigger removed from the config does not fire');
      assert.equal((await repos.schedules.listByProject(proj.id, 'config')).some((r) => r.id === main.id), false);
      await services.schedules.syncConfigTriggers(proj);
      assert.deepEqual(await repos.schedules.listByProject(proj.id, 'config'), []);
    });

    it('continues a setup pipeline once, with the key a setup task receives', { skip }, async () => {
      const setup = `version: 2.1
setup: true
parameters:
  shared: { type: string, default: a }
  only-setup: { type: string, default: b }
jobs:
  generate:
    docker: [{ image: kiln-test/sh:1 }]
    steps: [{ run: echo generating }]
workflows:
  setup:
    jobs: [generate]
`;
      const continuation = `version: 2.1
parameters:
  shared: { type: string, default: x }
  target: { type: string, default: staging }
jobs:
  deploy:
    docker: [{ image: kiln-test/sh:1 }]
    steps: [{ run: echo "deploying to << pipeline.parameters.target >>" }]
workflows:
  deploy:
    jobs: [deploy]
`;
      const { slug } = await project('dynamic', setup);
      const created = await call('member', `POST /api/v2/project/${slug}/pipeline`, {});
      assert.equal(created.body.state, 'setup', JSON.stringify(created.body));
      const pipelineId = created.body.id as string;
      const pipeline = (await repos.pipelines.getById(pipelineId))!;
      const job = (await repos.store.db.selectFrom('jobs').selectAll().where('pipeline_id', '=', pipelineId).executeTakeFirstOrThrow());
      const task = (await repos.tasks.listByJob(job.id))[0]!;
      const key = (await services.continuations.keyForTask({ job, pipeline, task }))!;
      assert.match(key, /^kiln_cont_/);
      assert.equal((await repos.store.db.selectFrom('continuation_keys').select('key_hash').where('pipeline_id', '=', pipelineId).executeTakeFirstOrThrow()).key_hash, hashToken(key), 'only the hash is stored');

      const cont = (body: Record<string, unknown>) => call('anonymous', 'POST /api/v2/pipeline/continue', body);
      assert.equal((await cont({ 'continuation-key': 'kiln_cont_wrong', configuration: continuation })).status, 401);
      const conflicting = await cont({ 'continuation-key': key, configuration: continuation, parameters: { shared: 'y' } });
      assert.equal(conflicting.status, 400);
      assert.equal(conflicting.body.message, 'Conflicting pipeline parameters.');
      const ok = await cont({ 'continuation-key': key, configuration: continuation, parameters: { target: 'prod' } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const after = await call('viewer', `GET /api/v2/pipeline/${pipelineId}`);
      assert.equal(after.body.state, 'created');
      const workflows = (await call('viewer', `GET /api/v2/pipeline/${pipelineId}/workflow`)).body.items as Array<{ name: string }>;
      assert.deepEqual(workflows.map((w) => w.name).sort(), ['deploy', 'setup']);
      const plans = (await repos.store.db.selectFrom('jobs').select('plan').where('pipeline_id', '=', pipelineId).execute()).map((j) => j.plan ?? '');
      assert.ok(plans.some((p) => p.includes('deploying to prod')));
      assert.equal((await cont({ 'continuation-key': key, configuration: continuation })).status, 409, 'only once');
      assert.equal(await services.continuations.keyForTask({ job, pipeline, task }), undefined, 'no key once continued');
    });

    it('refuses a continuation after 6 hours, and errors the pipeline on a bad continuation config', { skip }, async () => {
      const { slug } = await project('dynamic-late', 'version: 2.1\nsetup: true\njobs:\n  g:\n    docker: [{ image: kiln-test/sh:1 }]\n    steps: [{ run: echo g }]\nworkflows:\n  s:\n    jobs: [g]\n');
      const keyFor = async (id: string) => {
        const pipeline = (await repos.pipelines.getById(id))!;
        const job = await repos.store.db.selectFrom('jobs').selectAll().where('pipeline_id', '=', id).executeTakeFirstOrThrow();
        return (await services.continuations.keyForTask({ job, pipeline, task: (await repos.tasks.listByJob(job.id))[0]! }))!;
      };
      const first = (await call('member', `POST /api/v2/project/${slug}/pipeline`, {})).body.id as string;
      const key = await keyFor(first);
      const later = new ContinuationService({ repos, pipelines: services.pipelines, now: () => new Date(Date.now() + 6 * 3600_000 + 1000) });
      await assert.rejects(later.continue({ key, configuration: 'version: 2.1\n' }), (error: Error & { code?: string }) => error.code === 'conflict' && /6 hours/.test(error.message));
      const second = (await call('member', `POST /api/v2/project/${slug}/pipeline`, {})).body.id as string;
      const bad = await call('anonymous', 'POST /api/v2/pipeline/continue', { 'continuation-key': await keyFor(second), configuration: 'version: 2.1\njobs: [oops' });
      assert.equal(bad.status, 200);
      const pipeline = await call('viewer', `GET /api/v2/pipeline/${second}`);
      assert.equal(pipeline.body.state, 'errored');
      assert.ok((pipeline.body.errors as unknown[]).length > 0);
    });
  });
}
