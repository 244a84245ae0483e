/** Issue #3 store: orb versions are immutable, a schedule firing is claimed once, a setup pipeline continues once (both dialects). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, createTestDatabase, skipReason, type TestDatabase } from '../../test/support/databases.js';
import { buildOrg, buildProject } from '../../test/support/factories.js';
import { newId } from '../shared/ids.js';
import { nowIso } from '../shared/time.js';
import { createRepositories, type Repositories, type ScheduleTable } from './index.js';

function buildSchedule(input: { orgId: string; projectId: string }, overrides: Partial<ScheduleTable> = {}): ScheduleTable {
  const now = nowIso();
  return {
    id: newId(), org_id: input.orgId, project_id: input.projectId, kind: 'api', name: `s-${newId().slice(0, 6)}`, description: '', timetable: null,
    cron: '* * * * *', actor_id: null, parameters: '{"branch":"main"}', workflow: null, next_run_at: '2026-01-01T00:00:00.000Z', last_run_at: null,
    created_by: null, created_at: now, updated_at: now, ...overrides,
  };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: orb, schedule and continuation repositories`, async () => {
    const skip = await skipReason(dialect);
    let database: TestDatabase;
    let repos: Repositories;
    let orgId: string;
    let projectId: string;
    before(async () => {
      if (skip) return;
      database = await createTestDatabase(dialect);
      repos = createRepositories(database.store);
      orgId = (await repos.orgs.create(buildOrg())).id;
      projectId = (await repos.projects.create(buildProject(orgId))).id;
    });
    after(async () => { await database?.drop(); });

    it('publishes an orb version once; another organisation has its own namespace', { skip }, async () => {
      const row = { id: newId(), org_id: orgId, namespace: 'acme', name: 'tools', version: '1.2.3', source: 'commands: {}', published_at: nowIso(), publisher: 'a@x' };
      assert.equal(await repos.orbs.publish(row), true);
      assert.equal(await repos.orbs.publish({ ...row, id: newId(), source: 'changed' }), false, 'a version is immutable');
      assert.equal((await repos.orbs.get({ orgId, namespace: 'acme', name: 'tools', version: '1.2.3' }))?.source, 'commands: {}');
      await repos.orbs.publish({ ...row, id: newId(), version: '1.10.0' });
      assert.deepEqual((await repos.orbs.listVersions({ orgId, namespace: 'acme', name: 'tools' })).map((v) => v.version).sort(), ['1.10.0', '1.2.3']);
      const other = (await repos.orgs.create(buildOrg())).id;
      assert.equal(await repos.orbs.publish({ ...row, id: newId(), org_id: other }), true);
      assert.equal((await repos.orbs.listByOrg(orgId)).length, 2);
      assert.ok(!('source' in (await repos.orbs.listByOrg(orgId))[0]!), 'lists leave the source out');
    });

    it('claims each schedule firing exactly once, even when claims race', { skip }, async () => {
      const row = buildSchedule({ orgId, projectId });
      assert.equal(await repos.schedules.create(row), true);
      assert.equal(await repos.schedules.create({ ...row, id: newId() }), false, 'names are unique per project and kind');
      const due = await repos.schedules.listDue('2026-01-01T00:00:30.000Z', 10);
      assert.deepEqual(due.map((d) => d.id), [row.id]);
      const claims = await Promise.all(Array.from({ length: 5 }, () => repos.schedules.claimFiring({ id: row.id, due: row.next_run_at, next: '2026-01-01T00:01:00.000Z', now: '2026-01-01T00:00:30.000Z' })));
      assert.equal(claims.filter(Boolean).length, 1);
      assert.equal((await repos.schedules.getById(row.id))?.next_run_at, '2026-01-01T00:01:00.000Z');
      assert.deepEqual(await repos.schedules.listDue('2026-01-01T00:00:30.000Z', 10), []);
      assert.equal(await repos.schedules.delete(row.id), true);
    });

    it('continues a setup pipeline once and never after it expires', { skip }, async () => {
      const now = nowIso();
      const make = async () => {
        const id = newId();
        await repos.pipelines.create({ id, project_id: projectId, org_id: orgId, number: Math.floor(Math.random() * 1e6), state: 'setup', trigger_type: 'api', trigger_actor_id: null, branch: 'main', tag: null, revision: 'abc', parameters: '{}', errors: '[]', created_at: now, updated_at: now });
        return id;
      };
      const live = await make();
      await repos.continuations.create({ pipeline_id: live, org_id: orgId, setup_parameters: '[]', expires_at: '2026-01-01T06:00:00.000Z', continued_at: null, created_at: now });
      await repos.continuations.addKey({ key_hash: 'h1', pipeline_id: live, task_id: newId(), created_at: now });
      assert.equal((await repos.continuations.findKey('h1'))?.pipeline_id, live);
      assert.equal(await repos.continuations.findKey('nope'), undefined);
      const claims = await Promise.all([1, 2, 3].map(() => repos.continuations.claim(live, '2026-01-01T01:00:00.000Z')));
      assert.equal(claims.filter(Boolean).length, 1);
      const late = await make();
      await repos.continuations.create({ pipeline_id: late, org_id: orgId, setup_parameters: '[]', expires_at: '2026-01-01T06:00:00.000Z', continued_at: null, created_at: now });
      assert.equal(await repos.continuations.claim(late, '2026-01-01T06:00:00.000Z'), false, 'expired');
    });
  });
}
