/**
 * @module SQL for streaming audit events to SIEM destinations: the destinations and the outbox of
 * pending deliveries (one row per event per destination, deleted once delivered).
 */
import type { Kysely } from 'kysely';
import type { AuditDestinationTable, AuditEventTable } from './audit.schema.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export async function insertAuditDestination(db: Db, destination: AuditDestinationTable): Promise<void> {
  await db.insertInto('audit_destinations').values(destination).execute();
}

export async function getAuditDestination(db: Db, id: string): Promise<AuditDestinationTable | undefined> {
  const row = await db.selectFrom('audit_destinations').selectAll().where('id', '=', id).executeTakeFirst();
  return row && normalizeDestination(row);
}

/** Destinations of one organisation (plus global ones), or all when `orgId` is undefined. */
export async function listAuditDestinationRows(db: Db, options: { orgId?: string } = {}): Promise<AuditDestinationTable[]> {
  let query = db.selectFrom('audit_destinations').selectAll();
  if (options.orgId !== undefined) {
    const orgId = options.orgId;
    query = query.where((eb) => eb.or([eb('org_id', '=', orgId), eb('org_id', 'is', null)]));
  }
  return (await query.orderBy('created_at').orderBy('id').execute()).map(normalizeDestination);
}

/** Active destinations not waiting out a backoff at `now`. */
export async function listDueAuditDestinations(db: Db, now: string): Promise<AuditDestinationTable[]> {
  const rows = await db.selectFrom('audit_destinations').selectAll()
    .where('status', '=', 'active')
    .where((eb) => eb.or([eb('retry_at', 'is', null), eb('retry_at', '<=', now)]))
    .orderBy('id').execute();
  return rows.map(normalizeDestination);
}

export async function updateAuditDestination(
  db: Db,
  options: { id: string; changes: Partial<Omit<AuditDestinationTable, 'id' | 'created_at'>> },
): Promise<void> {
  await db.updateTable('audit_destinations').set(options.changes).where('id', '=', options.id).execute();
}

/** Adds to the destination's outcome counters atomically (replicas may deliver concurrently). */
export async function countAuditDelivery(db: Db, options: { id: string; delivered: number; failed: number }): Promise<void> {
  await db.updateTable('audit_destinations')
    .set((eb) => ({ delivered_count: eb('delivered_count', '+', options.delivered), failed_count: eb('failed_count', '+', options.failed) }))
    .where('id', '=', options.id).execute();
}

export async function deleteAuditDestination(db: Db, id: string): Promise<void> {
  await db.deleteFrom('audit_outbox').where('destination_id', '=', id).execute();
  await db.deleteFrom('audit_destinations').where('id', '=', id).execute();
}

/** A claimed delivery: the outbox row's attempt count and the event. */
export interface ClaimedAuditDelivery {
  attempts: number;
  event: AuditEventTable;
}

/**
 * Leases up to `limit` due deliveries of one destination, oldest event first, until `leaseUntil`.
 * The lease condition is re-checked in the UPDATE, so two replicas never claim the same row.
 */
export async function claimAuditDeliveries(
  db: Db,
  options: { destinationId: string; now: string; leaseUntil: string; limit: number },
): Promise<ClaimedAuditDelivery[]> {
  const candidates = await db.selectFrom('audit_outbox').select('event_seq')
    .where('destination_id', '=', options.destinationId)
    .where('next_attempt_at', '<=', options.now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', options.now)]))
    .orderBy('event_seq').limit(options.limit).execute();
  if (candidates.length === 0) return [];
  const claimed = await db.updateTable('audit_outbox').set({ lease_until: options.leaseUntil })
    .where('destination_id', '=', options.destinationId)
    .where('event_seq', 'in', candidates.map((c) => Number(c.event_seq)))
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', options.now)]))
    .returning(['event_seq', 'attempts'])
    .execute();
  if (claimed.length === 0) return [];
  const attempts = new Map(claimed.map((c) => [Number(c.event_seq), Number(c.attempts)]));
  const events = await db.selectFrom('audit_events').selectAll().where('seq', 'in', [...attempts.keys()]).orderBy('seq').execute();
  return events.map((event) => ({ attempts: attempts.get(Number(event.seq)) ?? 0, event: { ...event, seq: Number(event.seq) } }));
}

/** Removes a delivered row. */
export async function completeAuditDelivery(db: Db, options: { destinationId: string; eventSeq: number }): Promise<void> {
  await db.deleteFrom('audit_outbox').where('destination_id', '=', options.destinationId).where('event_seq', '=', options.eventSeq).execute();
}

/** Records a failed attempt and schedules the next one. */
export async function failAuditDelivery(
  db: Db,
  options: { destinationId: string; eventSeq: number; error: string; nextAttemptAt: string },
): Promise<void> {
  await db.updateTable('audit_outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: options.error, next_attempt_at: options.nextAttemptAt, lease_until: null }))
    .where('destination_id', '=', options.destinationId).where('event_seq', '=', options.eventSeq).execute();
}

/** Gives back claimed rows that were not attempted. */
export async function releaseAuditDeliveries(db: Db, options: { destinationId: string; eventSeqs: number[] }): Promise<void> {
  if (options.eventSeqs.length === 0) return;
  await db.updateTable('audit_outbox').set({ lease_until: null })
    .where('destination_id', '=', options.destinationId).where('event_seq', 'in', options.eventSeqs).execute();
}

/** Pending deliveries per destination. */
export async function countPendingAuditDeliveries(db: Db): Promise<Map<string, number>> {
  const rows = await db.selectFrom('audit_outbox').select(['destination_id', (eb) => eb.fn.countAll<number>().as('pending')])
    .groupBy('destination_id').execute();
  return new Map(rows.map((r) => [r.destination_id, Number(r.pending)]));
}

function normalizeDestination(row: AuditDestinationTable): AuditDestinationTable {
  return {
    ...row,
    consecutive_failures: Number(row.consecutive_failures),
    delivered_count: Number(row.delivered_count),
    failed_count: Number(row.failed_count),
  };
}
