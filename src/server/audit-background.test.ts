/** Retention in the server: purge with a signed checkpoint, `audit_log.purge` in each organisation's log, chain still verifies. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS, createTestDatabase, skipReason, type TestDatabase } from '../../test/support/databases.js';
import { buildOrg } from '../../test/support/factories.js';
import { auditWriter, loadAuditSigner, queryAuditLog, verifyAuditLog } from '../audit/index.js';
import { sampleAuditEvent } from '../audit/audit-samples.js';
import { silentLogger } from '../shared/logger.js';
import { createRepositories } from '../store/index.js';
import { runAuditRetention, startAuditBackground } from './audit-background.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: audit retention`, async () => {
    const skip = await skipReason(dialect);
    let database: TestDatabase;
    let dir: string;
    before(async () => {
      if (skip) return;
      database = await createTestDatabase(dialect);
      dir = mkdtempSync(join(tmpdir(), 'kiln-retention-'));
    });
    after(async () => { await database?.drop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

    it('purges old events, records audit_log.purge per organisation, and keeps the chain verifiable', { skip }, async () => {
      const db = database.store.db;
      const repos = createRepositories(database.store);
      const [a, b] = [await repos.orgs.create(buildOrg()), await repos.orgs.create(buildOrg())];
      for (let i = 0; i < 3; i++) await auditWriter.record(db, sampleAuditEvent('context.create', { orgId: a.id, overrides: { occurred_at: `2020-01-0${i + 1}T00:00:00.123456789Z` } }));
      await auditWriter.record(db, sampleAuditEvent('context.create', { orgId: b.id }));
      const signer = loadAuditSigner({ keyPath: join(dir, 'audit-signing.pem') });

      const result = await runAuditRetention(db, { signer, retentionDays: 30 });
      assert.equal(result.purgedCount, 3);
      assert.equal(result.purgedThroughSeq, 3);
      for (const org of [a, b]) {
        const purge = (await queryAuditLog(db, { orgId: org.id, actionPrefix: 'audit_log.purge' })).items;
        assert.equal(purge.length, 1);
        assert.deepEqual({ ...purge[0]!.payload, before: undefined }, { before: undefined, purged_through_seq: 3, purged_count: 3 });
        assert.equal(purge[0]!.actor.type, 'system');
      }
      assert.equal((await queryAuditLog(db, { orgId: a.id, actionPrefix: 'context' })).items.length, 0);
      assert.equal((await verifyAuditLog({ db, publicKeyPem: signer.publicKeyPem })).ok, true);

      // Nothing old enough: nothing purged and nothing recorded. The background job runs it at start.
      const background = startAuditBackground({ db, signer, retentionDays: 30, logger: silentLogger(), deliveryIntervalMs: 3_600_000 });
      assert.equal((await background.retainNow!()).purgedCount, 0);
      await background.stop();
      assert.equal((await queryAuditLog(db, { orgId: a.id, actionPrefix: 'audit_log.purge' })).items.length, 1);
    });
  });
}
