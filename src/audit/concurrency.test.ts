import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { DIALECTS, createTestDatabase, skipReason, type TestDatabase } from '../../test/support/databases.js';
import { openStore, type Store } from '../store/index.js';
import { sampleAuditEvent } from './audit-samples.js';
import { writeAuditCheckpoint } from './checkpoint.js';
import { loadAuditSigner } from './signer.js';
import { verifyAuditLog } from './verify.js';
import { auditWriter } from './writer.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: concurrent audit appends`, async () => {
    const skip = await skipReason(dialect);
    let database: TestDatabase;
    let replica: Store | undefined;
    before(async () => {
      if (skip) return;
      database = await createTestDatabase(dialect);
      // On PostgreSQL a second, independent connection pool plays a second server replica.
      replica = dialect === 'postgres' ? await openStore(database.url) : undefined;
    });
    after(async () => { await replica?.close(); await database?.drop(); });

    it('50 concurrent appends (and checkpoints) from two replicas form one valid chain', { skip }, async () => {
      const signer = loadAuditSigner({ privateKeyPem: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string });
      const stores = [database.store, replica ?? database.store];
      const appends = Array.from({ length: 50 }, (_, i) => {
        const db = stores[i % 2].db;
        const event = sampleAuditEvent('workflow.job.start', { overrides: { metadata: { n: String(i) } } });
        // Half in explicit caller transactions, half letting the writer open its own.
        return i % 4 < 2 ? db.transaction().execute((trx) => auditWriter.record(trx, event)) : auditWriter.record(db, event);
      });
      const checkpoints = [0, 1, 2, 3].map((i) => writeAuditCheckpoint(stores[i % 2].db, { signer }));
      const events = await Promise.all(appends);
      await Promise.all(checkpoints);
      assert.equal(new Set(events.map((e) => e.id)).size, 50);
      const rows = await database.store.db.selectFrom('audit_events').select(['seq', 'metadata']).orderBy('seq').execute();
      assert.deepEqual(rows.map((r) => Number(r.seq)), Array.from({ length: 50 }, (_, i) => i + 1));
      assert.equal(new Set(rows.map((r) => r.metadata)).size, 50);
      const result = await verifyAuditLog({ db: database.store.db, publicKeyPem: signer.publicKeyPem });
      assert.equal(result.ok, true, result.message);
      assert.equal(result.eventsChecked, 50);
      assert.equal(result.checkpointsChecked, 4);
    });
  });
}
