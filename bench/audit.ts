/**
 * Audit log benchmark: append throughput through the real writer, then a bulk-loaded log of
 * (default) 1,000,000 events exported as CSV and JSONL and verified, each in a child process so
 * its peak RSS is the export's own.
 *
 *   node --import tsx bench/audit.ts [--events 1000000] [--append 2000] [--dialects sqlite,postgres]
 *                                    [--ops csv,csv-js,csv-stringify,jsonl,jsonl-js,verify] [--keep]
 *   node --import tsx bench/audit.ts --child <database url> csv     (one measured export of a kept database)
 *
 * Setup note: the million rows are NOT written through AuditWriter.record (one transaction and
 * chain-head lock per event would make setup take minutes). They are batch-inserted with their
 * chain hashes computed in the benchmark, so the log is still a valid chain that verify accepts.
 * PostgreSQL comes from KILN_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { AUDIT_ACTIONS, type AuditAction } from '../src/audit/actions.js';
import { sampleAuditEvent } from '../src/audit/audit-samples.js';
import { chainHash } from '../src/audit/canonical.js';
import { createNanoClock } from '../src/audit/clock.js';
import { prepareEvent } from '../src/audit/event.js';
import { exportAuditLog } from '../src/audit/export.js';
import { verifyAuditLog } from '../src/audit/verify.js';
import { auditWriter } from '../src/audit/writer.js';
import type { AuditEventTable } from '../src/store/audit.schema.js';
import { openStore, type Dialect, type Store } from '../src/store/index.js';
import type { Database } from '../src/store/schema.js';
import { createDatabaseUrl } from '../test/support/databases.js';

const ORG = 'org-bench';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}

const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

const actions = Object.keys(AUDIT_ACTIONS) as AuditAction[];
const sample = (i: number) => sampleAuditEvent(actions[i % actions.length], {
  orgId: ORG,
  overrides: { metadata: { i: String(i), note: i % 97 === 0 ? 'comma, "quote"\nnewline' : 'plain' }, request: { id: `req-${i >> 3}` } },
});

async function benchAppends(store: Store, count: number): Promise<{ sequential: number; concurrent: number }> {
  const db = store.db;
  let start = performance.now();
  for (let i = 0; i < count; i++) await db.transaction().execute((trx) => auditWriter.record(trx, sample(i)));
  const sequential = count / ((performance.now() - start) / 1000);
  start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < count) { const i = next++; await auditWriter.record(db, sample(i)); }
  }));
  const concurrent = count / ((performance.now() - start) / 1000);
  return { sequential: Math.round(sequential), concurrent: Math.round(concurrent) };
}

/** Batch-inserts `count` valid chained events after the current head (bypassing the writer). */
async function bulkLoad(store: Store, count: number): Promise<number> {
  const db = store.db;
  const clock = createNanoClock();
  const head = await db.selectFrom('audit_chain_head').selectAll().executeTakeFirstOrThrow();
  let seq = Number(head.seq);
  let prev = head.hash;
  const batch = store.dialect === 'sqlite' ? 1000 : 10_000;
  const start = performance.now();
  for (let done = 0; done < count;) {
    const rows: AuditEventTable[] = [];
    for (let i = 0; i < batch && done < count; i++, done++) {
      const prepared = { ...prepareEvent(sample(done), clock), id: randomUUID() };
      seq += 1;
      const hash = chainHash(prev, prepared);
      rows.push({ ...prepared, seq, prev_hash: prev, hash });
      prev = hash;
    }
    if (store.dialect === 'sqlite') await db.insertInto('audit_events').values(rows).execute();
    else await insertUnnest(db, rows);
  }
  await db.updateTable('audit_chain_head').set({ seq, hash: prev }).where('id', '=', 1).execute();
  return Math.round(count / ((performance.now() - start) / 1000));
}

const COLUMNS = ['seq', 'id', 'org_id', 'action', 'actor', 'actor_id', 'target', 'target_id', 'payload', 'occurred_at', 'occurred_key', 'metadata', 'version', 'scope', 'success', 'request', 'prev_hash', 'hash'] as const;

async function insertUnnest(db: Kysely<Database>, rows: AuditEventTable[]): Promise<void> {
  const arrays = COLUMNS.map((c) => {
    const type = c === 'seq' ? 'bigint' : c === 'version' || c === 'success' ? 'integer' : 'text';
    return sql`${rows.map((r) => r[c])}::${sql.raw(type)}[]`;
  });
  await sql`insert into audit_events (${sql.join(COLUMNS.map((c) => sql.ref(c)))}) select * from unnest(${sql.join(arrays)})`.execute(db);
}

/** Child process: one measured operation, printed as JSON. */
async function child(url: string, operation: string): Promise<void> {
  const store = await openStore(url);
  const baselineMb = Math.round(process.memoryUsage().rss / 1048576);
  const start = performance.now();
  let bytes = 0;
  let detail = '';
  if (operation === 'verify') {
    const result = await verifyAuditLog({ db: store.db });
    detail = `${result.kind}, ${result.eventsChecked} events`;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-audit-export-'));
    const file = join(dir, 'audit.export');
    const format = operation.startsWith('jsonl') ? 'jsonl' : 'csv';
    const csvEngine = operation === 'csv-stringify' ? 'csv-stringify' : operation.endsWith('-js') ? 'fast' : 'database';
    await pipeline(exportAuditLog(store.db, { orgId: ORG, format, csvEngine }), createWriteStream(file));
    bytes = statSync(file).size;
    rmSync(dir, { recursive: true, force: true });
  }
  const ms = performance.now() - start;
  await store.close();
  process.stdout.write(JSON.stringify({ ms: Math.round(ms), bytes, rssMb: rssMb(), baselineMb, detail }));
}

interface ChildResult { ms: number; bytes: number; rssMb: number; baselineMb: number; detail: string }

function runChild(url: string, operation: string): ChildResult {
  const result = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', url, operation], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`child ${operation} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ChildResult;
}

async function main(): Promise<void> {
  const childIndex = process.argv.indexOf('--child');
  if (childIndex !== -1) return child(process.argv[childIndex + 1], process.argv[childIndex + 2]);
  const events = Number(arg('events', '1000000'));
  const appends = Number(arg('append', '2000'));
  const dialects = arg('dialects', 'sqlite,postgres').split(',') as Dialect[];
  console.log(`audit bench: ${appends} appends, ${events.toLocaleString('en')} exported events, node ${process.version}`);
  const keep = process.argv.includes('--keep');
  for (const dialect of dialects) {
    const database = await createDatabaseUrl(dialect);
    try {
      const store = await openStore(database.url);
      const append = await benchAppends(store, appends);
      console.log(`[${dialect}] append via AuditWriter.record: ${append.sequential.toLocaleString('en')} events/s sequential (one transaction each), ${append.concurrent.toLocaleString('en')} events/s with 8 concurrent writers`);
      const load = await bulkLoad(store, events - 2 * appends);
      console.log(`[${dialect}] bulk setup (batch insert, chain computed in the bench, writer bypassed): ${load.toLocaleString('en')} rows/s`);
      await store.close();
      for (const operation of arg('ops', 'csv,csv-js,jsonl,jsonl-js,verify').split(',')) {
        const r = runChild(database.url, operation);
        const rate = Math.round(events / (r.ms / 1000));
        const size = r.bytes ? `, ${(r.bytes / 1e6).toFixed(0)} MB` : '';
        const label = operation === 'verify' ? 'verify' : operation === 'csv-stringify' ? 'export csv (csv-stringify encoder)'
          : operation.endsWith('-js') ? `export ${operation.slice(0, -3)} (JS encoder)` : `export ${operation} (database encoder, the default)`;
        console.log(`[${dialect}] ${label} of ${events.toLocaleString('en')} events: ${(r.ms / 1000).toFixed(2)} s = ${rate.toLocaleString('en')} events/s${size}, peak RSS ${r.rssMb} MB (process baseline after startup ${r.baselineMb} MB)${r.detail ? `, ${r.detail}` : ''}`);
      }
    } finally {
      if (keep) console.log(`[${dialect}] kept the database: ${database.url}`);
      else await database.drop();
    }
  }
}

await main();
