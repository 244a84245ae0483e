import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DIALECTS, createTestDatabase, skipReason, type TestDatabase } from '../../test/support/databases.js';
import { sleep } from '../shared/time.js';
import { sampleAuditEvent } from './audit-samples.js';
import { signAuditDelivery, verifyAuditDelivery } from './delivery-signature.js';
import { startAuditDelivery, type AuditDelivery } from './delivery.js';
import { createAuditDestination, listDestinations, resumeDestination } from './destinations.js';
import { queryAuditLog } from './query.js';
import { auditWriter } from './writer.js';

const SECRET = 'whsec_test_secret';

describe('delivery signatures', () => {
  const body = '{"id":"e1"}';
  const now = 1_800_000_000;
  it('accepts a fresh, intact delivery', () => {
    assert.deepEqual(verifyAuditDelivery({ secret: SECRET, header: signAuditDelivery({ secret: SECRET, body, timestamp: now }), body, now }), { ok: true, timestamp: now });
  });
  it('rejects a tampered body, a wrong secret, a stale (replayed) timestamp and a malformed header', () => {
    const header = signAuditDelivery({ secret: SECRET, body, timestamp: now });
    assert.deepEqual(verifyAuditDelivery({ secret: SECRET, header, body: '{"id":"e2"}', now }), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyAuditDelivery({ secret: 'other', header, body, now }), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyAuditDelivery({ secret: SECRET, header, body, now: now + 301 }), { ok: false, reason: 'stale' });
    const forgedTime = header.replace(`t=${now}`, `t=${now + 600}`);
    assert.deepEqual(verifyAuditDelivery({ secret: SECRET, header: forgedTime, body, now: now + 600 }), { ok: false, reason: 'bad_signature' }, 'the timestamp is signed');
    assert.deepEqual(verifyAuditDelivery({ secret: SECRET, header: 'v1=abc', body, now }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyAuditDelivery({ secret: SECRET, header: undefined, body, now }), { ok: false, reason: 'malformed' });
  });
});

/** A SIEM receiver on 127.0.0.1 that verifies, dedupes by id, and fails on demand. */
class Receiver {
  server: Server = createServer((req, res) => { void this.handle(req).then((status) => { res.statusCode = status; res.end(); }); });
  accepted = new Map<string, Record<string, unknown>>();
  requests = 0;
  rejected = 0;
  /** Respond 500 to this many requests; `process` still stores them first (a lost response). */
  failNext = 0;
  process = false;
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/kiln-audit`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage): Promise<number> {
    this.requests += 1;
    let body = '';
    for await (const chunk of req) body += chunk;
    const failing = this.failNext > 0;
    if (failing) this.failNext -= 1;
    if (failing && !this.process) return 500;
    const check = verifyAuditDelivery({ secret: SECRET, header: req.headers['kiln-signature'] as string, body });
    if (!check.ok) { this.rejected += 1; return 401; }
    const event = JSON.parse(body) as Record<string, unknown>;
    assert.equal(req.headers['kiln-event-id'], event.id);
    assert.equal(req.headers['content-type'], 'application/json');
    if (!this.accepted.has(event.id as string)) this.accepted.set(event.id as string, event);
    return failing ? 500 : 204;
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: audit streaming to SIEM`, async () => {
    const skip = await skipReason(dialect);
    let database: TestDatabase;
    let receiver: Receiver;
    let delivery: AuditDelivery;
    before(async () => {
      if (skip) return;
      database = await createTestDatabase(dialect);
      receiver = new Receiver();
      await receiver.start();
      delivery = startAuditDelivery({
        db: database.store.db, resolveSecret: (ref) => (ref === 'ref-1' ? SECRET : 'wrong'),
        intervalMs: 3_600_000, baseBackoffMs: 30, maxBackoffMs: 100, maxConsecutiveFailures: 3,
      });
    });
    after(async () => { await delivery?.stop(); await receiver?.stop(); await database?.drop(); });

    const record = (i: number, orgId = 'org-d') => auditWriter.record(database.store.db, sampleAuditEvent('user.logged_in', { orgId, overrides: { metadata: { n: String(i) } } }));

    it('delivers each new event of the organisation, signed, with its id header', { skip }, async () => {
      const db = database.store.db;
      await record(0); // before the destination exists: not delivered
      const destination = await createAuditDestination(db, { orgId: 'org-d', name: 'siem', url: receiver.url, secretRef: 'ref-1' });
      assert.equal(destination.status, 'active');
      for (let i = 1; i <= 3; i++) await record(i);
      await record(99, 'org-elsewhere');
      const tick = await delivery.runOnce();
      assert.deepEqual(tick, { delivered: 3, failed: 0, paused: [] });
      assert.equal(receiver.rejected, 0);
      const events = (await queryAuditLog(db, { orgId: 'org-d', order: 'asc' })).items.slice(1);
      assert.deepEqual([...receiver.accepted.values()], events, 'the body is the event, seed fields only');
      const [listed] = await listDestinations(db, { orgId: 'org-d' });
      assert.deepEqual([listed.deliveredCount, listed.failedCount, listed.pending, listed.consecutiveFailures], [3, 0, 0, 0]);
      assert.deepEqual((await delivery.runOnce()).delivered, 0, 'delivered rows leave the outbox');
    });

    it('retries with backoff, redelivers after a lost response, pauses after N failures, and resumes', { skip }, async () => {
      const db = database.store.db;
      const before = receiver.accepted.size;
      for (let i = 4; i <= 6; i++) await record(i);

      receiver.failNext = 1;
      receiver.process = true; // the receiver stores event 4 but the response is lost
      assert.deepEqual(await delivery.runOnce(), { delivered: 0, failed: 1, paused: [] });
      assert.deepEqual(await delivery.runOnce(), { delivered: 0, failed: 0, paused: [] }, 'waits out the backoff');
      await sleep(150);
      receiver.process = false;
      assert.equal((await delivery.runOnce()).delivered, 3);
      assert.equal(receiver.accepted.size, before + 3, 'the redelivered event is deduplicated by id');

      receiver.failNext = 100;
      await record(7);
      await record(8);
      const outcomes = [];
      for (let i = 0; i < 3; i++) { outcomes.push(await delivery.runOnce()); await sleep(150); }
      assert.deepEqual(outcomes.map((o) => o.failed), [1, 1, 1]);
      const [paused] = await listDestinations(db, { orgId: 'org-d' });
      assert.deepEqual(outcomes[2].paused, [paused.id]);
      assert.equal(paused.status, 'paused');
      assert.equal(paused.consecutiveFailures, 3);
      assert.equal(paused.pending, 2);
      assert.equal(paused.lastError, 'HTTP 500');
      const requests = receiver.requests;
      await record(9);
      await sleep(150);
      await delivery.runOnce();
      assert.equal(receiver.requests, requests, 'a paused destination gets no requests');

      receiver.failNext = 0;
      await resumeDestination(db, paused.id);
      assert.equal((await delivery.runOnce()).delivered, 3, 'the backlog is delivered once resumed');
      const [resumed] = await listDestinations(db, { orgId: 'org-d' });
      assert.deepEqual([resumed.status, resumed.pending, resumed.consecutiveFailures, resumed.deliveredCount, resumed.failedCount], ['active', 0, 0, 9, 4]);
      const metadata = [...receiver.accepted.values()].map((e) => (e.metadata as Record<string, string>).n);
      assert.deepEqual(metadata, ['1', '2', '3', '4', '5', '6', '7', '8', '9'], 'every event at least once, in order');
    });

    it('refuses destination URLs with credentials or plain http to a remote host', { skip }, async () => {
      const db = database.store.db;
      await assert.rejects(createAuditDestination(db, { orgId: 'o', name: 'x', url: 'http://siem.example.com/', secretRef: 'r' }), /https/);
      await assert.rejects(createAuditDestination(db, { orgId: 'o', name: 'x', url: 'https://u:p@siem.example.com/', secretRef: 'r' }), /credentials/);
      await assert.rejects(createAuditDestination(db, { orgId: 'o', name: 'x', url: 'file:///etc/passwd', secretRef: 'r' }), /https/);
    });
  });
}
