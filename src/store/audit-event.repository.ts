/**
 * @module SQL for the audit chain: events, the chain head, signed checkpoints and signing keys.
 * Functions take a Kysely handle (the root database or a transaction) because audit writes join
 * the caller's transaction. Callers in src/audit hold the rules; this file only speaks SQL.
 */
import { sql, type Kysely } from 'kysely';
import type { AuditChainHeadTable, AuditCheckpointTable, AuditEventTable } from './audit.schema.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

/**
 * Takes the next sequence number by incrementing the chain head, which also locks the head row
 * until the surrounding transaction ends (PostgreSQL row lock; SQLite write lock). Every append
 * and every checkpoint goes through this row, so appends from any number of replicas serialise
 * into one chain. Returns the new seq and the hash of the event before it.
 */
export async function advanceAuditChainHead(db: Db): Promise<{ seq: number; prevHash: string }> {
  const row = await db.updateTable('audit_chain_head')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', 1)
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow();
  return { seq: Number(row.seq), prevHash: row.hash };
}

/** Records the hash of the event just appended as the chain's end (same transaction as the append). */
export async function setAuditChainHeadHash(db: Db, hash: string): Promise<void> {
  await db.updateTable('audit_chain_head').set({ hash }).where('id', '=', 1).execute();
}

export async function readAuditChainHead(db: Db): Promise<AuditChainHeadTable> {
  const row = await db.selectFrom('audit_chain_head').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  return { ...row, seq: Number(row.seq), checkpoint_seq: Number(row.checkpoint_seq) };
}

export async function insertAuditEvents(db: Db, rows: readonly AuditEventTable[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('audit_events').values([...rows]).execute();
}

/** Queues one delivery of event `seq` to every destination of its organisation (and every global one). */
export async function enqueueAuditDeliveries(db: Db, options: { seq: number; orgId: string; now: string }): Promise<void> {
  await db.insertInto('audit_outbox')
    .columns(['destination_id', 'event_seq', 'attempts', 'next_attempt_at'])
    .expression((eb) => eb.selectFrom('audit_destinations')
      .select((s) => [
        'id',
        s.val(options.seq).as('event_seq'),
        s.val(0).as('attempts'),
        s.val(options.now).as('next_attempt_at'),
      ])
      .where((w) => w.or([w('org_id', 'is', null), w('org_id', '=', options.orgId)])))
    .execute();
}

/** Filters for {@link listAuditEvents}; every field is optional and they combine with AND. */
export interface AuditEventFilter {
  orgId?: string;
  /** Matches the action itself and every action below it (`project` matches `project.env_var.create`). */
  actionPrefix?: string;
  actorId?: string;
  targetId?: string;
  /** Inclusive lower bound on `occurred_key`. */
  sinceKey?: string;
  /** Exclusive upper bound on `occurred_key`. */
  untilKey?: string;
  success?: boolean;
  /** Keyset: only seq > afterSeq (ascending) or seq < beforeSeq (descending). */
  afterSeq?: number;
  beforeSeq?: number;
  order: 'asc' | 'desc';
  limit: number;
}

/** The seed's fields plus `seq`: what export and delivery read. */
export type PublicAuditEventRow = Pick<AuditEventTable, 'seq' | 'action' | 'actor' | 'target' | 'payload' | 'occurred_at' | 'metadata' | 'id' | 'version' | 'scope' | 'success' | 'request'>;

const PUBLIC_COLUMNS = ['seq', 'action', 'actor', 'target', 'payload', 'occurred_at', 'metadata', 'id', 'version', 'scope', 'success', 'request'] as const;

/** One keyset page of events in seq order. */
export async function listAuditEvents(db: Db, filter: AuditEventFilter): Promise<AuditEventTable[]> {
  const rows = await filteredEvents(db, filter).selectAll().execute();
  return rows.map(normalizeEventRow);
}

/**
 * Like {@link listAuditEvents} but reads only the public columns and leaves numbers as the driver
 * returns them: the export's hot path (a million rows should not mean a million spreads).
 */
export async function listPublicAuditEvents(db: Db, filter: AuditEventFilter): Promise<PublicAuditEventRow[]> {
  return filteredEvents(db, filter).select(PUBLIC_COLUMNS).execute();
}

function filteredEvents(db: Db, filter: AuditEventFilter) {
  let query = db.selectFrom('audit_events');
  if (filter.orgId !== undefined) query = query.where('org_id', '=', filter.orgId);
  if (filter.actionPrefix !== undefined) {
    // LIKE, not a range comparison: PostgreSQL orders text by the database collation, which may
    // ignore punctuation. Actions are lowercase, so SQLite's case-insensitive LIKE is harmless.
    const pattern = `${filter.actionPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`;
    query = query.where((eb) => eb.or([
      eb('action', '=', filter.actionPrefix!),
      sql<boolean>`${sql.ref('action')} like ${pattern} escape '\\'`,
    ]));
  }
  if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId);
  if (filter.targetId !== undefined) query = query.where('target_id', '=', filter.targetId);
  if (filter.sinceKey !== undefined) query = query.where('occurred_key', '>=', filter.sinceKey);
  if (filter.untilKey !== undefined) query = query.where('occurred_key', '<', filter.untilKey);
  if (filter.success !== undefined) query = query.where('success', '=', filter.success ? 1 : 0);
  if (filter.afterSeq !== undefined) query = query.where('seq', '>', filter.afterSeq);
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
  return query.orderBy('seq', filter.order).limit(filter.limit);
}

/** The seq of the event whose hash is `hash`, if any (used only to explain a broken chain). */
export async function findAuditSeqByHash(db: Db, hash: string): Promise<number | undefined> {
  const row = await db.selectFrom('audit_events').select('seq').where('hash', '=', hash).executeTakeFirst();
  return row ? Number(row.seq) : undefined;
}

export async function getAuditEventBySeq(db: Db, seq: number): Promise<AuditEventTable | undefined> {
  const row = await db.selectFrom('audit_events').selectAll().where('seq', '=', seq).executeTakeFirst();
  return row ? normalizeEventRow(row) : undefined;
}

/** The highest seq such that every event up to it occurred before `beforeKey` (0 if none). */
export async function findAuditPurgeBoundary(db: Db, beforeKey: string): Promise<number> {
  const firstKept = await db.selectFrom('audit_events').select((eb) => eb.fn.min('seq').as('seq'))
    .where('occurred_key', '>=', beforeKey).executeTakeFirst();
  if (firstKept?.seq !== null && firstKept?.seq !== undefined) return Number(firstKept.seq) - 1;
  const last = await db.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  return last?.seq === null || last?.seq === undefined ? 0 : Number(last.seq);
}

/** Deletes events with seq <= `throughSeq` and their pending deliveries; returns how many events went. */
export async function deleteAuditEventsThrough(db: Db, throughSeq: number): Promise<number> {
  await db.deleteFrom('audit_outbox').where('event_seq', '<=', throughSeq).execute();
  const result = await db.deleteFrom('audit_events').where('seq', '<=', throughSeq).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Takes the next checkpoint number and locks the chain head (as {@link advanceAuditChainHead}
 * does), returning the chain's end and the previous checkpoint's signature.
 */
export async function advanceAuditCheckpointHead(db: Db): Promise<AuditChainHeadTable> {
  const row = await db.updateTable('audit_chain_head')
    .set((eb) => ({ checkpoint_seq: eb('checkpoint_seq', '+', 1) }))
    .where('id', '=', 1)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ...row, seq: Number(row.seq), checkpoint_seq: Number(row.checkpoint_seq) };
}

export async function insertAuditCheckpoint(db: Db, checkpoint: AuditCheckpointTable): Promise<void> {
  await db.insertInto('audit_checkpoints').values(checkpoint).execute();
  await db.updateTable('audit_chain_head').set({ checkpoint_signature: checkpoint.signature }).where('id', '=', 1).execute();
}

/** One page of checkpoints in order, after checkpoint `afterSeq`. */
export async function listAuditCheckpoints(db: Db, options: { afterSeq: number; limit: number }): Promise<AuditCheckpointTable[]> {
  const rows = await db.selectFrom('audit_checkpoints').selectAll()
    .where('seq', '>', options.afterSeq).orderBy('seq', 'asc').limit(options.limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), event_seq: Number(r.event_seq) }));
}

/** Stores a signing key's public half (idempotent). */
export async function saveAuditSigningKey(db: Db, key: { keyId: string; publicKeyPem: string; now: string }): Promise<void> {
  await db.insertInto('audit_signing_keys').values({ key_id: key.keyId, public_key: key.publicKeyPem, created_at: key.now })
    .onConflict((oc) => oc.column('key_id').doNothing()).execute();
}

export async function listAuditSigningKeys(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom('audit_signing_keys').selectAll().execute();
  return new Map(rows.map((r) => [r.key_id, r.public_key]));
}

function normalizeEventRow(row: AuditEventTable): AuditEventTable {
  return { ...row, seq: Number(row.seq), version: Number(row.version), success: Number(row.success) };
}
