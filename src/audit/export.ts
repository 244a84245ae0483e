/**
 * @module Streaming export of an organisation's audit log as CSV or JSONL.
 *
 * Memory is constant: events are read in keyset pages of `batchSize` by seq and written as they
 * come, with backpressure from the consumer. The export covers events up to the chain's end at
 * the moment it starts, so a long download is a consistent prefix of the log.
 *
 * CSV (RFC 4180, CRLF, header row): columns in the seed's field order; nested fields as compact
 * JSON; any cell starting with `=`, `+`, `-`, `@`, TAB or CR (or the full-width `＝＋－＠` that
 * some spreadsheets normalise) is prefixed with `'` so it is not evaluated as a formula.
 *
 * Encoders (all byte-identical; tests keep them so):
 * - `'database'` (the default): the database builds each batch as ONE string, a CSV or JSONL
 *   record per row concatenated in seq order (SQLite `group_concat(… ORDER BY seq)`, PostgreSQL
 *   `string_agg(… ORDER BY seq)`), with the same quoting and formula neutralisation expressed in
 *   SQL. No per-row JS object, string or array is created, so the export runs at several hundred
 *   thousand events/s and its memory is one batch string (a few MB), not a batch of row objects.
 * - `'fast'`: rows read as objects and encoded by {@link encodeCsvRecord} / `auditRowJson`.
 * - `'csv-stringify'` (CSV only): rows encoded by csv-stringify; the reference the others match.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { sql, SqliteAdapter, type Kysely, type RawBuilder } from 'kysely';
import { listPublicAuditEvents, readAuditChainHead, type PublicAuditEventRow } from '../store/audit-event.repository.js';
import type { Database } from '../store/schema.js';
import { AppError } from '../shared/errors.js';
import { timestampKey } from './clock.js';
import { AUDIT_FIELDS, auditRowJson } from './presenter.js';

export type AuditExportFormat = 'csv' | 'jsonl';

export interface AuditExportOptions {
  orgId: string;
  format: AuditExportFormat;
  /** Inclusive lower bound on occurred_at (UTC ISO-8601 or YYYY-MM-DD). */
  since?: string;
  /** Exclusive upper bound on occurred_at. */
  until?: string;
  /** Events per database round trip (default 5000). */
  batchSize?: number;
  /** Record encoder; all give identical bytes (see the module comment). `csv-stringify` applies to CSV only. */
  csvEngine?: 'database' | 'fast' | 'csv-stringify';
}

/** The HTTP Content-Type of each format. */
export const AUDIT_EXPORT_CONTENT_TYPES: Record<AuditExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

/**
 * A Readable of the export, oldest event first. Validates the options before returning (throws
 * `validation_failed`), so a route can answer 400 before it starts streaming. Database errors
 * during the stream surface as the stream's 'error' event.
 */
export function exportAuditLog(db: Kysely<Database>, options: AuditExportOptions): Readable {
  if (!options.orgId) throw new AppError('validation_failed', 'orgId is required');
  if (options.format !== 'csv' && options.format !== 'jsonl') throw new AppError('validation_failed', 'format must be csv or jsonl', { field: 'format' });
  const sinceKey = options.since === undefined ? undefined : timestampKey(options.since, 'since');
  const untilKey = options.until === undefined ? undefined : timestampKey(options.until, 'until');
  const engine = options.csvEngine ?? 'database';
  const batchSize = options.batchSize ?? 5000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new AppError('validation_failed', 'batchSize must be a positive integer');
  const filter = { orgId: options.orgId, sinceKey, untilKey };
  async function* generate(): AsyncGenerator<string | Uint8Array> {
    const end = (await readAuditChainHead(db)).seq;
    if (options.format === 'csv') yield CSV_HEADER;
    if (engine === 'database') {
      yield* databaseBatches(db, { ...filter, format: options.format, end, batchSize });
      return;
    }
    const format = options.format === 'jsonl' ? jsonlBatch : engine === 'csv-stringify' ? csvStringifyBatch : csvFastBatch;
    for (let after = 0; ;) {
      const rows = await listPublicAuditEvents(db, { ...filter, afterSeq: after, beforeSeq: end + 1, order: 'asc', limit: batchSize });
      if (rows.length === 0) return;
      yield format(rows);
      if (rows.length < batchSize) return;
      after = Number(rows[rows.length - 1].seq);
    }
  }
  return Readable.from(generate(), { objectMode: false });
}

/** Keyset batches encoded by the database: one string per batch (see the module comment). */
async function* databaseBatches(
  db: Kysely<Database>,
  options: { orgId: string; sinceKey?: string; untilKey?: string; format: AuditExportFormat; end: number; batchSize: number },
): AsyncGenerator<string | Uint8Array> {
  const dialect = db.getExecutor().adapter instanceof SqliteAdapter ? SQLITE : POSTGRES;
  const record = options.format === 'csv' ? csvRecordSql(dialect) : jsonlRecordSql(dialect);
  const since = options.sinceKey === undefined ? sql`` : sql` and occurred_key >= ${options.sinceKey}`;
  const until = options.untilKey === undefined ? sql`` : sql` and occurred_key < ${options.untilKey}`;
  for (let after = 0; ;) {
    const { rows } = await sql<{ chunk: string | Uint8Array | null; last: number | string | null; n: number | string }>`
      select ${sql.raw(dialect.concatAll)} as chunk, max(seq) as last, count(*) as n from (
        select seq, ${record} as line from audit_events
        where org_id = ${options.orgId} and seq > ${after} and seq <= ${options.end}${since}${until}
        order by seq limit ${options.batchSize}
      ) batch`.execute(db);
    const row = rows[0];
    const count = Number(row?.n ?? 0);
    if (!row || count === 0 || row.chunk === null) return;
    yield row.chunk;
    if (count < options.batchSize) return;
    after = Number(row.last);
  }
}

/** What differs between the dialects in the encoding SQL. */
interface SqlDialect {
  /** Position of a substring (0 when absent). */
  find(cell: string, what: string): string;
  /** The first character. */
  first(cell: string): string;
  chr(code: number): string;
  /** A JSON string literal of a text column. */
  jsonString(cell: string): string;
  /** Concatenates `line` over the batch in seq order (SQLite: as a BLOB, read as a Buffer without a UTF-16 round trip). */
  concatAll: string;
}

const SQLITE: SqlDialect = {
  find: (cell, what) => `instr(${cell}, ${what})`,
  first: (cell) => `substr(${cell}, 1, 1)`,
  chr: (code) => `char(${code})`,
  jsonString: (cell) => `json_quote(${cell})`,
  concatAll: `cast(group_concat(line, '' order by seq) as blob)`,
};

const POSTGRES: SqlDialect = {
  find: (cell, what) => `strpos(${cell}, ${what})`,
  first: (cell) => `left(${cell}, 1)`,
  chr: (code) => `chr(${code})`,
  jsonString: (cell) => `to_json(${cell})::text`,
  concatAll: `string_agg(line, '' order by seq)`,
};

/**
 * {@link neutralizeCsvCell} then {@link encodeCsvRecord}'s quoting, in SQL, for a column. Written
 * so the column is the only operand of every test (SQLite does not share common subexpressions):
 * the `'` prefix contains no character that needs quoting, so it is added after the tests.
 */
function csvCellSql(d: SqlDialect, column: string): string {
  const openers = [`'='`, `'+'`, `'-'`, `'@'`, d.chr(9), d.chr(13), `'＝'`, `'＋'`, `'－'`, `'＠'`].join(', ');
  const hasQuote = `${d.find(column, `'"'`)} > 0`;
  const needsQuotes = [`','`, d.chr(10), d.chr(13)].map((c) => `${d.find(column, c)} > 0`).join(' or ');
  const encode = (prefix: string) => `(case when ${hasQuote} then '"${prefix}' || replace(${column}, '"', '""') || '"'`
    + ` when ${needsQuotes} then '"${prefix}' || ${column} || '"' else ${prefix ? `'${prefix}' || ` : ''}${column} end)`;
  return `(case when ${d.first(column)} in (${openers}) then ${encode("''")} else ${encode('')} end)`;
}

function csvRecordSql(d: SqlDialect): RawBuilder<string> {
  const cells = [
    csvCellSql(d, 'action'), csvCellSql(d, 'actor'), csvCellSql(d, 'target'), csvCellSql(d, 'payload'), csvCellSql(d, 'occurred_at'),
    csvCellSql(d, 'metadata'), csvCellSql(d, 'id'), 'cast(version as text)', csvCellSql(d, 'scope'),
    `(case when success <> 0 then 'true' else 'false' end)`, csvCellSql(d, `coalesce(request, '')`),
  ];
  return sql.raw(`(${cells.join(` || ',' || `)} || ${d.chr(13)} || ${d.chr(10)})`);
}

/** `auditRowJson` in SQL: nested columns are stored as canonical JSON already. */
function jsonlRecordSql(d: SqlDialect): RawBuilder<string> {
  return sql.raw(`('{"action":' || ${d.jsonString('action')} || ',"actor":' || actor || ',"target":' || target || ',"payload":' || payload`
    + ` || ',"occurred_at":' || ${d.jsonString('occurred_at')} || ',"metadata":' || metadata || ',"id":' || ${d.jsonString('id')}`
    + ` || ',"version":' || cast(version as text) || ',"scope":' || scope || ',"success":' || (case when success <> 0 then 'true' else 'false' end)`
    + ` || ',"request":' || coalesce(request, 'null') || '}' || ${d.chr(10)})`);
}

/**
 * csv-stringify options: CRLF records. `quote_record_delimiter` must be set explicitly: with a
 * custom record delimiter csv-stringify otherwise leaves a lone CR or LF inside a field unquoted,
 * and the file no longer parses back.
 */
const CSV_OPTIONS = { record_delimiter: 'windows', quote_record_delimiter: true } as const;
const CSV_HEADER = stringify([[...AUDIT_FIELDS]], CSV_OPTIONS);

function csvStringifyBatch(rows: readonly PublicAuditEventRow[]): string {
  return stringify(rows.map(csvCells), CSV_OPTIONS);
}

function csvFastBatch(rows: readonly PublicAuditEventRow[]): string {
  let out = '';
  for (const row of rows) out += encodeCsvRecord(csvCells(row));
  return out;
}

/**
 * One RFC 4180 record with CRLF, quoting exactly as csv-stringify does by default: a field is
 * quoted when it contains `"`, `,`, CR or LF, and its quotes are doubled.
 */
export function encodeCsvRecord(cells: readonly string[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (i > 0) line += ',';
    if (cell.includes('"')) line += `"${cell.replaceAll('"', '""')}"`;
    else if (cell.includes(',') || cell.includes('\n') || cell.includes('\r')) line += `"${cell}"`;
    else line += cell;
  }
  return `${line}\r\n`;
}

function jsonlBatch(rows: readonly PublicAuditEventRow[]): string {
  let out = '';
  for (const row of rows) out += `${auditRowJson(row)}\n`;
  return out;
}

/** One CSV record in the seed's field order (nested fields are stored as compact JSON already). */
export function csvCells(row: Omit<PublicAuditEventRow, 'seq'>): string[] {
  return [
    neutralizeCsvCell(row.action), neutralizeCsvCell(row.actor), neutralizeCsvCell(row.target), neutralizeCsvCell(row.payload),
    neutralizeCsvCell(row.occurred_at), neutralizeCsvCell(row.metadata), neutralizeCsvCell(row.id), String(row.version),
    neutralizeCsvCell(row.scope), Number(row.success) ? 'true' : 'false', neutralizeCsvCell(row.request ?? ''),
  ];
}

/** Prefixes `'` to a cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, TAB, CR, or full-width `＝＋－＠` first). */
export function neutralizeCsvCell(cell: string): string {
  const c = cell.charCodeAt(0);
  // = + - @ \t \r, then U+FF1D U+FF0B U+FF0D U+FF20
  return c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13 || c === 0xff1d || c === 0xff0b || c === 0xff0d || c === 0xff20
    ? `'${cell}`
    : cell;
}
