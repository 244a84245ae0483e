import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'kysely';
import { DIALECTS, createTestDatabase, skipReason, type TestDatabase } from '../../test/support/databases.js';
import { sampleAuditEvent } from './audit-samples.js';
import { chainHash } from './canonical.js';
import { writeAuditCheckpoint } from './checkpoint.js';
import { purgeAuditLog } from './purge.js';
import { loadAuditSigner, type AuditSigner } from './signer.js';
import { verifyAuditLog } from './verify.js';
import { auditWriter } from './writer.js';

function memorySigner(): AuditSigner {
  const { privateKey } = generateKeyPairSync('ed25519');
  return loadAuditSigner({ privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string });
}

/** A fresh database with `count` events (the first `old` of them in 2025) and a checkpoint after them. */
async function withLog(
  dialect: (typeof DIALECTS)[number],
  options: { count?: number; old?: number },
  work: (ctx: { database: TestDatabase; signer: AuditSigner }) => Promise<void>,
): Promise<void> {
  const database = await createTestDatabase(dialect);
  const signer = memorySigner();
  try {
    for (let i = 1; i <= (options.count ?? 10); i++) {
      const overrides = i <= (options.old ?? 0) ? { occurred_at: `2025-01-01T00:00:${String(i).padStart(2, '0')}.000000001Z` } : {};
      await auditWriter.record(database.store.db, sampleAuditEvent('context.create', { overrides: { ...overrides, payload: { context_name: `ctx-${i}` } } }));
    }
    await writeAuditCheckpoint(database.store.db, { signer });
    await work({ database, signer });
  } finally {
    await database.drop();
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: audit verify`, async () => {
    const skip = await skipReason(dialect);

    it('accepts an intact log, and an empty one', { skip }, async () => {
      await withLog(dialect, {}, async ({ database, signer }) => {
        const result = await verifyAuditLog({ db: database.store.db, publicKeyPem: signer.publicKeyPem });
        assert.equal(result.ok, true, result.message);
        assert.equal(result.kind, 'ok');
        assert.equal(result.eventsChecked, 10);
        assert.equal(result.lastSeq, 10);
        assert.deepEqual(result.warnings, []);
      });
      const empty = await createTestDatabase(dialect);
      try {
        const result = await verifyAuditLog({ db: empty.store.db });
        assert.equal(result.ok, true);
        assert.equal(result.warnings.length, 2, 'no checkpoint yet + no trusted key');
      } finally { await empty.drop(); }
    });

    it('names a modified payload', { skip }, async () => {
      await withLog(dialect, {}, async ({ database }) => {
        await database.store.db.updateTable('audit_events').set({ payload: '{"context_name":"evil"}' }).where('seq', '=', 5).execute();
        const result = await verifyAuditLog({ db: database.store.db });
        assert.deepEqual([result.ok, result.kind, result.seq], [false, 'modified', 5], result.message);
      });
    });

    it('names a modified row that was re-hashed, and a rewritten tail caught by the checkpoint', { skip }, async () => {
      await withLog(dialect, {}, async ({ database }) => {
        const db = database.store.db;
        const row = await db.selectFrom('audit_events').selectAll().where('seq', '=', 4).executeTakeFirstOrThrow();
        const forged = { ...row, payload: '{"context_name":"evil"}' };
        await db.updateTable('audit_events').set({ payload: forged.payload, hash: chainHash(row.prev_hash, forged) }).where('seq', '=', 4).execute();
        const result = await verifyAuditLog({ db });
        assert.deepEqual([result.kind, result.seq], ['modified', 4], result.message);

        // Re-hash the whole rest of the chain too: only the signed checkpoint can tell now.
        let prev = chainHash(row.prev_hash, forged);
        for (let seq = 5; seq <= 10; seq++) {
          const r = await db.selectFrom('audit_events').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();
          const hash = chainHash(prev, r);
          await db.updateTable('audit_events').set({ prev_hash: prev, hash }).where('seq', '=', seq).execute();
          prev = hash;
        }
        await db.updateTable('audit_chain_head').set({ hash: prev }).execute();
        const rewritten = await verifyAuditLog({ db });
        assert.deepEqual([rewritten.kind, rewritten.seq], ['modified', 10], rewritten.message);
      });
    });

    it('names a deleted middle row', { skip }, async () => {
      await withLog(dialect, {}, async ({ database }) => {
        await database.store.db.deleteFrom('audit_events').where('seq', '=', 6).execute();
        const result = await verifyAuditLog({ db: database.store.db });
        assert.deepEqual([result.kind, result.seq], ['deleted', 6], result.message);
      });
    });

    it('names deleted last rows even when the chain head is patched too', { skip }, async () => {
      await withLog(dialect, {}, async ({ database }) => {
        const db = database.store.db;
        const last = await db.selectFrom('audit_events').select('hash').where('seq', '=', 8).executeTakeFirstOrThrow();
        await db.deleteFrom('audit_events').where('seq', '>', 8).execute();
        await db.updateTable('audit_chain_head').set({ seq: 8, hash: last.hash }).execute();
        const result = await verifyAuditLog({ db });
        assert.deepEqual([result.kind, result.seq], ['truncated', 9], result.message);
        assert.match(result.message, /checkpoint/);
      });
    });

    it('names two swapped rows', { skip }, async () => {
      await withLog(dialect, {}, async ({ database }) => {
        const db = database.store.db;
        await db.updateTable('audit_events').set({ seq: -1 }).where('seq', '=', 5).execute();
        await db.updateTable('audit_events').set({ seq: 5 }).where('seq', '=', 6).execute();
        await db.updateTable('audit_events').set({ seq: 6 }).where('seq', '=', -1).execute();
        const result = await verifyAuditLog({ db });
        assert.deepEqual([result.kind, result.seq], ['reordered', 5], result.message);
      });
    });

    it('rejects forged, edited, removed and foreign-key checkpoints, and a stale newest checkpoint', { skip }, async () => {
      await withLog(dialect, {}, async ({ database, signer }) => {
        const db = database.store.db;
        await writeAuditCheckpoint(db, { signer });
        await writeAuditCheckpoint(db, { signer });
        assert.equal((await verifyAuditLog({ db, publicKeyPem: signer.publicKeyPem })).checkpointsChecked, 3);
        const other = memorySigner();
        assert.equal((await verifyAuditLog({ db, publicKeyPem: other.publicKeyPem })).kind, 'bad_checkpoint', 'signed by another key');
        const stale = await verifyAuditLog({ db, maxCheckpointAgeMs: 60_000, now: Date.now() + 3_600_000 });
        assert.deepEqual([stale.kind, stale.seq], ['stale_checkpoint', 3]);

        await db.deleteFrom('audit_checkpoints').where('seq', '=', 2).execute();
        const moved = await verifyAuditLog({ db });
        assert.deepEqual([moved.kind, moved.seq], ['bad_checkpoint', 2], moved.message);
        await db.updateTable('audit_checkpoints').set({ event_seq: 9 }).where('seq', '=', 1).execute();
        const edited = await verifyAuditLog({ db });
        assert.deepEqual([edited.kind, edited.seq], ['bad_checkpoint', 1], edited.message);
      });
    });

    it('purges old events behind a signed checkpoint and still detects a deleted start', { skip }, async () => {
      await withLog(dialect, { count: 10, old: 4 }, async ({ database, signer }) => {
        const db = database.store.db;
        const purge = await purgeAuditLog(db, { before: '2026-01-01', signer });
        assert.deepEqual([purge.purgedThroughSeq, purge.purgedCount], [4, 4]);
        const rows = await db.selectFrom('audit_events').select('seq').orderBy('seq').execute();
        assert.deepEqual(rows.map((r) => Number(r.seq)), [5, 6, 7, 8, 9, 10]);
        const result = await verifyAuditLog({ db, publicKeyPem: signer.publicKeyPem });
        assert.equal(result.ok, true, result.message);
        assert.equal(result.eventsChecked, 6);
        await auditWriter.record(db, sampleAuditEvent('context.delete'));
        assert.equal((await verifyAuditLog({ db })).ok, true, 'appends continue after a purge');
        assert.equal((await purgeAuditLog(db, { before: '2026-01-01', signer })).purgedCount, 0, 'nothing more to purge');

        await db.deleteFrom('audit_events').where('seq', '=', 5).execute();
        const cut = await verifyAuditLog({ db });
        assert.deepEqual([cut.kind, cut.seq], ['deleted', 5], cut.message);
      });
    });

    it('refuses a purge-free missing start', { skip }, async () => {
      await withLog(dialect, {}, async ({ database }) => {
        await database.store.db.deleteFrom('audit_events').where('seq', '<=', 2).execute();
        const result = await verifyAuditLog({ db: database.store.db });
        assert.deepEqual([result.kind, result.seq], ['deleted', 1], result.message);
      });
    });

    it('reports seq edits that keep the links intact', { skip }, async () => {
      await withLog(dialect, {}, async ({ database }) => {
        await database.store.db.updateTable('audit_events').set({ seq: sql<number>`seq + 100` }).where('seq', '>=', 7).execute();
        const result = await verifyAuditLog({ db: database.store.db });
        assert.equal(result.ok, false);
        assert.equal(result.seq, 7, result.message);
      });
    });
  });
}
