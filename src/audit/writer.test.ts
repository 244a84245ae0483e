import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, createTestDatabase, skipReason, type TestDatabase } from '../../test/support/databases.js';
import { AppError } from '../shared/errors.js';
import { AUDIT_ACTIONS, type AuditAction } from './actions.js';
import { sampleAuditEvent } from './audit-samples.js';
import { chainHash } from './canonical.js';
import type { AuditEventInput } from './event.js';
import { queryAuditLog } from './query.js';
import { auditWriter } from './writer.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SEED_FIELDS = ['action', 'actor', 'target', 'payload', 'occurred_at', 'metadata', 'id', 'version', 'scope', 'success', 'request'];

for (const dialect of DIALECTS) {
  describe(`${dialect}: audit writer`, async () => {
    const skip = await skipReason(dialect);
    let database: TestDatabase;
    before(async () => { if (!skip) database = await createTestDatabase(dialect); });
    after(async () => { await database?.drop(); });

    it('records exactly one valid event per catalogued action', { skip }, async () => {
      const orgId = 'org-shape';
      const actions = Object.keys(AUDIT_ACTIONS) as AuditAction[];
      for (const action of actions) {
        await database.store.db.transaction().execute((trx) => auditWriter.record(trx, sampleAuditEvent(action, { orgId })));
      }
      const page = await queryAuditLog(database.store.db, { orgId, limit: 1000, order: 'asc' });
      assert.deepEqual(page.items.map((e) => e.action), actions, 'one event per action, in order');
      for (const event of page.items) {
        assert.deepEqual(Object.keys(event), SEED_FIELDS, 'exactly the seed fields, in the seed order');
        assert.match(event.action, /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/);
        for (const entity of [event.actor, event.target, event.scope]) {
          assert.equal(typeof entity.id, 'string');
          assert.match(entity.type, /^[a-z_]+$/);
        }
        assert.ok(AUDIT_ACTIONS[event.action as AuditAction].targetTypes.includes(event.target.type));
        assert.deepEqual(event.scope, { id: orgId, type: 'organization', name: 'Acme' });
        assert.match(event.occurred_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/, 'nanosecond clock');
        assert.match(event.id, UUID);
        assert.equal(event.version, 1);
        assert.equal(event.success, true);
        assert.deepEqual(event.request, { id: 'req-1' });
        assert.deepEqual(event.metadata, {});
        const problems: string[] = [];
        AUDIT_ACTIONS[event.action as AuditAction].payload.check(event.payload, 'payload', problems);
        assert.deepEqual(problems, []);
      }
      assert.equal(new Set(page.items.map((e) => e.id)).size, actions.length);
    });

    it('keeps a nanosecond occurred_at exactly, and records failed attempts', { skip }, async () => {
      const occurred = '2026-01-02T03:04:05.123456789Z';
      const input = sampleAuditEvent('user.logged_in', {
        orgId: 'org-ns',
        overrides: { occurred_at: occurred, success: false, payload: { method: 'password', failure_reason: 'bad_credentials' }, metadata: { ip: '203.0.113.9' } },
      });
      const recorded = await auditWriter.record(database.store.db, input);
      assert.equal(recorded.occurred_at, occurred);
      const [event] = (await queryAuditLog(database.store.db, { orgId: 'org-ns' })).items;
      assert.equal(event.occurred_at, occurred);
      assert.equal(event.success, false);
      assert.deepEqual(event.payload, { method: 'password', failure_reason: 'bad_credentials' });
      assert.deepEqual(event.metadata, { ip: '203.0.113.9' });
    });

    it('refuses unknown actions, wrong payloads, wrong target types and extra fields, storing nothing', { skip }, async () => {
      const db = database.store.db;
      const bad: unknown[] = [
        { ...sampleAuditEvent('context.create'), action: 'context.explode' },
        { ...sampleAuditEvent('context.create'), action: 'Context.Create' },
        { ...sampleAuditEvent('context.create'), payload: { context_name: 'x', value: 'hunter2' } },
        { ...sampleAuditEvent('context.create'), payload: {} },
        { ...sampleAuditEvent('context.create'), target: { id: 'p', type: 'project' } },
        { ...sampleAuditEvent('context.create'), success: 'yes' },
        { ...sampleAuditEvent('context.create'), metadata: { n: 1 } },
        { ...sampleAuditEvent('context.create'), occurred_at: '2026-01-02T03:04:05.1234567891Z' },
        { ...sampleAuditEvent('context.create'), occurred_at: '2026-02-30T00:00:00Z' },
        { ...sampleAuditEvent('context.create'), actor: { id: 'u', type: 'user', email: 'x' } },
        { ...sampleAuditEvent('context.create'), request: { id: 'r', extra: 1 } },
        { ...sampleAuditEvent('context.create'), seq: 5 },
      ];
      for (const input of bad) {
        await assert.rejects(auditWriter.record(db, input as AuditEventInput), (e: unknown) => e instanceof AppError && e.code === 'validation_failed');
      }
      assert.equal((await queryAuditLog(db, { orgId: 'org-1' })).items.length, 0);
    });

    it('writes in the caller transaction: a rolled back change leaves no event and no gap', { skip }, async () => {
      const db = database.store.db;
      await assert.rejects(db.transaction().execute(async (trx) => {
        await auditWriter.record(trx, sampleAuditEvent('project.delete', { orgId: 'org-tx' }));
        throw new Error('the change failed');
      }));
      assert.equal((await queryAuditLog(db, { orgId: 'org-tx' })).items.length, 0);
      const before = await db.selectFrom('audit_chain_head').select('seq').executeTakeFirstOrThrow();
      await auditWriter.record(db, sampleAuditEvent('project.delete', { orgId: 'org-tx' }));
      const rows = await db.selectFrom('audit_events').select(['seq']).orderBy('seq').execute();
      assert.deepEqual(rows.map((r) => Number(r.seq)), Array.from({ length: rows.length }, (_, i) => i + 1), 'seq has no gaps');
      assert.equal(Number(rows[rows.length - 1].seq), Number(before.seq) + 1);
    });

    it('chains every field: a 1 ns change of occurred_at changes the hash', { skip }, async () => {
      const row = await database.store.db.selectFrom('audit_events').selectAll().where('org_id', '=', 'org-ns').executeTakeFirstOrThrow();
      assert.equal(chainHash(row.prev_hash, row), row.hash);
      assert.notEqual(chainHash(row.prev_hash, { ...row, occurred_at: '2026-01-02T03:04:05.123456788Z' }), row.hash);
      for (const field of ['action', 'actor', 'target', 'payload', 'metadata', 'id', 'scope', 'request'] as const) {
        assert.notEqual(chainHash(row.prev_hash, { ...row, [field]: `${row[field]} ` }), row.hash, field);
      }
      assert.notEqual(chainHash(row.prev_hash, { ...row, success: 1 - Number(row.success) }), row.hash);
      assert.notEqual(chainHash(row.prev_hash, { ...row, version: 2 }), row.hash);
    });
  });
}
