import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, createTestDatabase, skipReason, type TestDatabase } from '../../test/support/databases.js';
import { buildOrg, buildProject } from '../../test/support/factories.js';
import { newId } from '../shared/ids.js';
import { isoPlus, nowIso } from '../shared/time.js';
import { createRepositories, type Repositories, type TaskTable } from './index.js';

async function seedTask(repos: Repositories, overrides: Partial<TaskTable> = {}): Promise<TaskTable> {
  const org = await repos.orgs.create(buildOrg());
  const project = await repos.projects.create(buildProject(org.id));
  const pipelineId = newId();
  const now = nowIso();
  await repos.pipelines.create({ id: pipelineId, project_id: project.id, org_id: org.id, number: 1, state: 'created', trigger_type: 'api', trigger_actor_id: null, branch: 'main', tag: null, revision: null, parameters: '{}', errors: '[]', created_at: now, updated_at: now });
  const workflow = await repos.workflows.create({ id: newId(), pipeline_id: pipelineId, project_id: project.id, name: 'wf', status: 'running', created_at: now, stopped_at: null });
  const jobId = newId();
  await repos.jobs.createMany([{ id: jobId, workflow_id: workflow.id, pipeline_id: pipelineId, project_id: project.id, org_id: org.id, name: 'build', type: 'build', number: null, status: 'queued', requires: '[]', contexts: '[]', plan: null, resource_class: 'medium', parallelism: 1, status_reason: null, approved_by: null, created_at: now, queued_at: now, started_at: null, stopped_at: null }]);
  const task: TaskTable = { id: newId(), job_id: jobId, node_index: 0, status: 'queued', resource_class: 'medium', executor: 'docker', runner_id: null, lease_token: 0, lease_expires_at: null, cancel_requested: 0, failure_reason: null, created_at: now, started_at: null, stopped_at: null, ...overrides };
  await repos.tasks.createMany([task]);
  return task;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: task leases`, async () => {
    const skip = await skipReason(dialect);
    let database: TestDatabase;
    let repos: Repositories;
    before(async () => { if (!skip) { database = await createTestDatabase(dialect); repos = createRepositories(database.store); } });
    after(async () => { await database?.drop(); });

    it('claims a queued task once, with an increasing fencing token', { skip }, async () => {
      const task = await seedTask(repos);
      const filter = { runnerId: 'r1', resourceClasses: ['medium'], executors: ['docker'], leaseUntil: isoPlus(30_000), now: nowIso() };
      const claims = await Promise.all([repos.tasks.claim(filter), repos.tasks.claim({ ...filter, runnerId: 'r2' })]);
      const won = claims.filter((c) => c?.id === task.id);
      assert.equal(won.length, 1, 'exactly one runner wins the task');
      assert.equal(won[0]!.lease_token, 1);
      assert.equal(won[0]!.status, 'running');
    });

    it('does not hand a task to a runner without its resource class or executor', { skip }, async () => {
      const task = await seedTask(repos, { resource_class: 'gpu.special' });
      const now = nowIso();
      const claimed = await repos.tasks.claim({ runnerId: 'r1', resourceClasses: ['medium'], executors: ['docker'], leaseUntil: isoPlus(30_000), now });
      assert.notEqual(claimed?.id, task.id);
      const byExecutor = await repos.tasks.claim({ runnerId: 'r1', resourceClasses: ['gpu.special'], executors: ['machine'], leaseUntil: isoPlus(30_000), now });
      assert.equal(byExecutor, undefined);
    });

    it('refuses renewals and reports with a stale fencing token or an expired lease', { skip }, async () => {
      await seedTask(repos, { resource_class: 'lease.test' });
      const claimed = await repos.tasks.claim({ runnerId: 'r1', resourceClasses: ['lease.test'], executors: ['docker'], leaseUntil: isoPlus(30_000), now: nowIso() });
      assert.ok(claimed);
      assert.equal(await repos.tasks.renewLease({ taskId: claimed.id, leaseToken: claimed.lease_token, until: isoPlus(60_000), now: nowIso() }), true);
      assert.equal(await repos.tasks.renewLease({ taskId: claimed.id, leaseToken: claimed.lease_token - 1, until: isoPlus(60_000), now: nowIso() }), false);
      // Lapse the lease: the reaper sees it, and the old holder can no longer renew or finish.
      const future = isoPlus(120_000);
      assert.ok((await repos.tasks.listExpired(future)).some((t) => t.id === claimed.id));
      assert.equal(await repos.tasks.renewLease({ taskId: claimed.id, leaseToken: claimed.lease_token, until: isoPlus(200_000), now: future }), false);
      assert.equal(await repos.tasks.finish({ taskId: claimed.id, status: 'infrastructure_fail', reason: 'lease expired', now: future }), true);
      assert.equal(await repos.tasks.finish({ taskId: claimed.id, leaseToken: claimed.lease_token, status: 'success', reason: null, now: future }), false, 'a late report is refused');
      assert.equal((await repos.tasks.getById(claimed.id))!.status, 'infrastructure_fail');
    });

    it('stores log chunk index rows idempotently and finds them by sequence and byte offset', { skip }, async () => {
      const task = await seedTask(repos);
      const row = (seq: number, offset: number, length: number) => ({ task_id: task.id, seq, step_index: 0, byte_offset: offset, byte_length: length, blob_key: `k/${seq}`, created_at: nowIso() });
      assert.equal(await repos.logChunks.insert(row(0, 0, 10)), true);
      assert.equal(await repos.logChunks.insert(row(1, 10, 5)), true);
      assert.equal(await repos.logChunks.insert(row(1, 10, 5)), false, 'a retried upload is not stored twice');
      assert.equal(await repos.logChunks.insert(row(2, 15, 7)), true);
      assert.deepEqual((await repos.logChunks.listFromSeq({ taskId: task.id, fromSeq: 1, limit: 10 })).map((c) => c.seq), [1, 2]);
      assert.deepEqual((await repos.logChunks.listFromByte({ taskId: task.id, fromByte: 12, limit: 10 })).map((c) => c.seq), [1, 2]);
      assert.equal((await repos.logChunks.last(task.id))!.seq, 2);
    });

    it('hands out distinct pipeline and job numbers under concurrency', { skip }, async () => {
      const org = await repos.orgs.create(buildOrg());
      const project = await repos.projects.create(buildProject(org.id));
      const numbers = await Promise.all(Array.from({ length: 20 }, () => repos.projects.nextJobNumber(project.id)));
      assert.deepEqual([...numbers].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
      assert.equal(await repos.projects.nextPipelineNumber(project.id), 1);
      assert.equal(await repos.projects.nextPipelineNumber(project.id), 2);
    });
  });
}
