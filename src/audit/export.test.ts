import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { DIALECTS, createTestDatabase, skipReason, type TestDatabase } from '../../test/support/databases.js';
import { sampleAuditEvent } from './audit-samples.js';
import { chainHash, canonicalJson } from './canonical.js';
import { encodeCsvRecord, exportAuditLog, neutralizeCsvCell } from './export.js';
import { AUDIT_FIELDS } from './presenter.js';
import { queryAuditLog } from './query.js';
import { auditWriter } from './writer.js';

const FORMULA = "=cmd|' /c calc'!A1";
const NASTY = 'a, "quoted" value,\r\nnext line\nand, more';

describe('CSV cell neutralisation', () => {
  it('prefixes a quote to cells a spreadsheet would evaluate, and nothing else', () => {
    for (const cell of [FORMULA, '+1', '-1+2', '@SUM(A1)', '\tx', '\rx', '＝1+1']) assert.equal(neutralizeCsvCell(cell), `'${cell}`);
    for (const cell of ['', 'abc', '{"a":"=1"}', "'=1", ' =1']) assert.equal(neutralizeCsvCell(cell), cell);
  });

  it('the fast encoder writes exactly what csv-stringify writes, and csv-parse reads it back', () => {
    const cell = fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('"', ',', '\r', '\n', 'a', ' ', '=', 'é') }));
    fc.assert(fc.property(fc.array(cell, { minLength: 1, maxLength: 12 }), (cells) => {
      const fast = encodeCsvRecord(cells);
      assert.equal(fast, stringify([cells], { record_delimiter: 'windows', quote_record_delimiter: true }));
      assert.deepEqual(parse(fast), [cells]);
    }), { numRuns: 2000 });
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: audit query and export`, async () => {
    const skip = await skipReason(dialect);
    let database: TestDatabase;
    before(async () => {
      if (skip) return;
      database = await createTestDatabase(dialect);
      const db = database.store.db;
      await auditWriter.record(db, sampleAuditEvent('project.settings.update', {
        orgId: 'org-csv',
        overrides: {
          occurred_at: '2026-01-02T03:04:05.123456789Z',
          actor: { id: 'user-x', type: 'user', name: `=HYPERLINK("http://evil.test","${NASTY}")` },
          payload: { project_slug: FORMULA, changed_settings: [NASTY, FORMULA, 'a,b', '"'] },
          metadata: { note: NASTY, formula: FORMULA },
        },
      }));
      for (let i = 0; i < 25; i++) {
        const action = i % 3 === 0 ? 'project.env_var.create' : i % 3 === 1 ? 'user.logged_in' : 'context.create';
        const event = sampleAuditEvent(action, {
          orgId: 'org-q',
          overrides: {
            occurred_at: `2026-03-01T00:00:${String(i).padStart(2, '0')}.5Z`,
            actor: { id: `user-${i % 2}`, type: 'user' },
            success: i % 5 !== 0,
          },
        });
        await auditWriter.record(db, event);
      }
      await auditWriter.record(db, sampleAuditEvent('context.create', { orgId: 'org-other' }));
    });
    after(async () => { await database?.drop(); });

    it('exports CSV that parses back to the original values, nanoseconds and all, with formulas neutralised', { skip }, async () => {
      const csv = await text(exportAuditLog(database.store.db, { orgId: 'org-csv', format: 'csv' }));
      assert.equal(await text(exportAuditLog(database.store.db, { orgId: 'org-csv', format: 'csv', csvEngine: 'csv-stringify' })), csv, 'the database encoder matches csv-stringify');
      assert.equal(await text(exportAuditLog(database.store.db, { orgId: 'org-csv', format: 'csv', csvEngine: 'fast' })), csv, 'the JS encoder matches too');
      assert.ok(csv.endsWith('\r\n'));
      const records: string[][] = parse(csv, { relax_column_count: false });
      assert.deepEqual(records[0], [...AUDIT_FIELDS], 'header row in the seed field order');
      assert.equal(records.length, 2);
      const cells = Object.fromEntries(AUDIT_FIELDS.map((f, i) => [f, records[1][i]]));
      assert.equal(cells.occurred_at, '2026-01-02T03:04:05.123456789Z');
      assert.deepEqual(JSON.parse(cells.payload), { project_slug: FORMULA, changed_settings: [NASTY, FORMULA, 'a,b', '"'] });
      assert.deepEqual(JSON.parse(cells.metadata), { note: NASTY, formula: FORMULA });
      assert.deepEqual(JSON.parse(cells.actor).name, `=HYPERLINK("http://evil.test","${NASTY}")`);
      assert.equal(cells.payload, canonicalJson(JSON.parse(cells.payload)), 'nested fields are compact canonical JSON');
      assert.equal(cells.success, 'true');
      assert.equal(cells.version, '1');
      assert.deepEqual(JSON.parse(cells.request), { id: 'req-1' });
      for (const cell of records.flat()) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, 'no cell opens as a formula');

      // A row written behind the writer's back (e.g. restored from an old backup) whose action
      // cell itself is a formula: the export still neutralises it.
      const row = await database.store.db.selectFrom('audit_events').selectAll().where('org_id', '=', 'org-csv').executeTakeFirstOrThrow();
      const head = await database.store.db.selectFrom('audit_chain_head').selectAll().executeTakeFirstOrThrow();
      const hostile = { ...row, seq: Number(head.seq) + 1, id: '00000000-0000-4000-8000-000000000000', action: FORMULA, prev_hash: head.hash };
      await database.store.db.insertInto('audit_events').values({ ...hostile, hash: chainHash(head.hash, hostile) }).execute();
      await database.store.db.updateTable('audit_chain_head').set({ seq: hostile.seq }).execute();
      const againCsv = await text(exportAuditLog(database.store.db, { orgId: 'org-csv', format: 'csv' }));
      const again: string[][] = parse(againCsv);
      assert.equal(again[2][0], `'${FORMULA}`);
      assert.equal(againCsv, await text(exportAuditLog(database.store.db, { orgId: 'org-csv', format: 'csv', csvEngine: 'csv-stringify' })));
      // Every cell opener and separator, through every encoder, in a row written behind the writer's back.
      const openers = ['=1', '+1', '-1', '@1', '\t1', '\r1', '＝1', '＋1', '－1', '＠1', 'a"b', 'a,b', 'a\nb', 'a\rb', '', "'=1", 'é,"\r\n'];
      let prev = hostile;
      let prevHash = chainHash(head.hash, hostile);
      for (const [i, cell] of openers.entries()) {
        const next = { ...hostile, seq: prev.seq + 1, id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, action: cell, occurred_at: cell, request: i % 2 ? null : cell, prev_hash: prevHash };
        prevHash = chainHash(prevHash, next);
        await database.store.db.insertInto('audit_events').values({ ...next, hash: prevHash }).execute();
        prev = next;
      }
      await database.store.db.updateTable('audit_chain_head').set({ seq: prev.seq }).execute();
      const reference = await text(exportAuditLog(database.store.db, { orgId: 'org-csv', format: 'csv', csvEngine: 'csv-stringify' }));
      assert.equal(await text(exportAuditLog(database.store.db, { orgId: 'org-csv', format: 'csv', batchSize: 3 })), reference);
      assert.equal(await text(exportAuditLog(database.store.db, { orgId: 'org-csv', format: 'csv', csvEngine: 'fast' })), reference);
      const parsed: string[][] = parse(reference);
      assert.deepEqual(parsed.slice(3).map((r) => r[0]), openers.map(neutralizeCsvCell));
    });

    it('returns a nanosecond occurred_at unchanged through query and JSONL', { skip }, async () => {
      const page = await queryAuditLog(database.store.db, { orgId: 'org-csv', actionPrefix: 'project' });
      assert.equal(page.items[0].occurred_at, '2026-01-02T03:04:05.123456789Z');
      const lines = (await text(exportAuditLog(database.store.db, { orgId: 'org-csv', format: 'jsonl' }))).trimEnd().split('\n');
      assert.equal(lines.join('\n') + '\n', await text(exportAuditLog(database.store.db, { orgId: 'org-csv', format: 'jsonl', csvEngine: 'fast' })), 'database and JS JSONL encoders agree');
      const first = JSON.parse(lines[0]);
      assert.deepEqual(Object.keys(first), [...AUDIT_FIELDS]);
      assert.equal(first.occurred_at, '2026-01-02T03:04:05.123456789Z');
      assert.deepEqual(first, page.items[0]);
    });

    it('filters by action prefix, actor, target, success and time, and pages with an opaque cursor', { skip }, async () => {
      const db = database.store.db;
      const all = await queryAuditLog(db, { orgId: 'org-q', limit: 1000 });
      assert.equal(all.items.length, 25);
      assert.equal(all.nextCursor, null);
      assert.ok(all.items.every((e) => e.scope.id === 'org-q'), 'never another organisation');
      assert.equal(all.items[0].occurred_at, '2026-03-01T00:00:24.5Z', 'newest first by default');

      const project = await queryAuditLog(db, { orgId: 'org-q', actionPrefix: 'project', limit: 1000 });
      assert.equal(project.items.length, 9);
      assert.equal((await queryAuditLog(db, { orgId: 'org-q', actionPrefix: 'project.env', limit: 1000 })).items.length, 0, 'prefix matches whole words');
      assert.equal((await queryAuditLog(db, { orgId: 'org-q', actionPrefix: 'project.env_var', limit: 1000 })).items.length, 9, '_ is not a wildcard');
      assert.equal((await queryAuditLog(db, { orgId: 'org-q', actionPrefix: 'project.envxvar', limit: 1000 })).items.length, 0);
      assert.equal((await queryAuditLog(db, { orgId: 'org-q', actionPrefix: 'user.logged_in' })).items.length, 8);
      assert.equal((await queryAuditLog(db, { orgId: 'org-q', actorId: 'user-1', limit: 1000 })).items.length, 12);
      assert.equal((await queryAuditLog(db, { orgId: 'org-q', targetId: 'context-1', limit: 1000 })).items.length, 8);
      assert.equal((await queryAuditLog(db, { orgId: 'org-q', success: false, limit: 1000 })).items.length, 5);
      const window = await queryAuditLog(db, { orgId: 'org-q', since: '2026-03-01T00:00:10.5Z', until: '2026-03-01T00:00:12.500000001Z', order: 'asc' });
      assert.deepEqual(window.items.map((e) => e.occurred_at), ['2026-03-01T00:00:10.5Z', '2026-03-01T00:00:11.5Z', '2026-03-01T00:00:12.5Z']);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await queryAuditLog(db, { orgId: 'org-q', limit: 7, cursor, order: 'asc' });
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.deepEqual(seen, [...all.items].reverse().map((e) => e.id));
      await assert.rejects(queryAuditLog(db, { orgId: 'org-q', cursor: 'bm9wZQ' }), /Invalid cursor/);
      await assert.rejects(queryAuditLog(db, { orgId: 'org-q', since: 'yesterday' }), /since/);
      await assert.rejects(queryAuditLog(db, { orgId: 'org-q', limit: 5000 }), /limit/);
    });

    it('exports only the organisation and time window asked for, in small batches', { skip }, async () => {
      const jsonl = await text(exportAuditLog(database.store.db, {
        orgId: 'org-q', format: 'jsonl', since: '2026-03-01T00:00:03Z', until: '2026-03-01T00:00:20Z', batchSize: 4,
      }));
      const events = jsonl.trimEnd().split('\n').map((l) => JSON.parse(l));
      assert.equal(events.length, 17);
      assert.ok(events.every((e) => e.scope.id === 'org-q'));
      const csv: string[][] = parse(await text(exportAuditLog(database.store.db, { orgId: 'org-none', format: 'csv' })));
      assert.deepEqual(csv, [[...AUDIT_FIELDS]], 'an empty export still has its header');
      assert.throws(() => exportAuditLog(database.store.db, { orgId: 'org-q', format: 'xml' as 'csv' }), /format/);
    });
  });
}
