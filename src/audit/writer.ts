/**
 * @module The narrow interface other modules use to record audit events.
 *
 * ```ts
 * await inTransaction(repos, async (trx) => {
 *   await trx.contexts.delete(id);
 *   await auditWriter.record(trx.store.db, { action: 'context.delete', ... });
 * });
 * ```
 */
import type { Kysely } from 'kysely';
import {
  advanceAuditChainHead, enqueueAuditDeliveries, insertAuditEvents, setAuditChainHeadHash,
} from '../store/audit-event.repository.js';
import type { Database } from '../store/schema.js';
import { nowIso } from '../shared/time.js';
import { chainHash } from './canonical.js';
import { createNanoClock, type AuditClock } from './clock.js';
import { prepareEvent, type AuditEvent, type AuditEventInput } from './event.js';
import { presentAuditRow } from './presenter.js';

/** Appends validated events to the hash chain. */
export interface AuditWriter {
  /**
   * Validates `event` against the catalogue and appends it to the chain inside `db`.
   *
   * Pass the transaction that makes the change being recorded, so both commit or neither does;
   * given the root handle, the append runs in its own transaction. The append locks the chain
   * head until that transaction ends, so keep audited transactions short. Also queues the event
   * for every SIEM destination of its organisation. Throws `validation_failed` for an unknown
   * action or a payload, target type or field that does not match the catalogue.
   */
  record(db: Kysely<Database>, event: AuditEventInput): Promise<AuditEvent>;
}

/** Creates a writer; `clock` defaults to the nanosecond wall-anchored clock. */
export function createAuditWriter(options: { clock?: AuditClock } = {}): AuditWriter {
  const clock = options.clock ?? createNanoClock();
  return {
    async record(db, input) {
      const prepared = prepareEvent(input, clock);
      return withTransaction(db, async (trx) => {
        const { seq, prevHash } = await advanceAuditChainHead(trx);
        const row = { ...prepared, seq, prev_hash: prevHash, hash: chainHash(prevHash, prepared) };
        await insertAuditEvents(trx, [row]);
        await setAuditChainHeadHash(trx, row.hash);
        await enqueueAuditDeliveries(trx, { seq, orgId: prepared.org_id, now: nowIso() });
        return presentAuditRow(row);
      });
    },
  };
}

/** The process-wide writer. */
export const auditWriter: AuditWriter = createAuditWriter();

/** Runs `work` in `db` if it is already a transaction, else in a new one. */
export async function withTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
