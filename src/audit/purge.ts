/**
 * @module Retention: deleting the oldest events while keeping the rest verifiable. Before the
 * rows go, a signed `purge` checkpoint records the seq and hash of the last purged event; verify
 * then accepts a chain that starts right after it, and still rejects any other missing start.
 */
import type { Kysely } from 'kysely';
import type { AuditCheckpointTable } from '../store/audit.schema.js';
import { deleteAuditEventsThrough, findAuditPurgeBoundary, getAuditEventBySeq } from '../store/audit-event.repository.js';
import type { Database } from '../store/schema.js';
import { writeAuditCheckpoint } from './checkpoint.js';
import { timestampKey } from './clock.js';
import type { AuditSigner } from './signer.js';
import { withTransaction } from './writer.js';

export interface AuditPurgeResult {
  /** The last deleted seq (0 when nothing was old enough). */
  purgedThroughSeq: number;
  purgedCount: number;
  checkpoint: AuditCheckpointTable | null;
}

/**
 * Deletes the longest prefix of the chain whose events all occurred before `before`, after
 * writing a signed purge checkpoint for it, in one transaction (`db`'s if it is one, so the
 * caller can record `audit_log.purge` atomically). A newer event that was recorded with an older
 * `occurred_at` ends the prefix: the chain is only ever cut at one point.
 */
export async function purgeAuditLog(db: Kysely<Database>, options: { before: string; signer: AuditSigner }): Promise<AuditPurgeResult> {
  const beforeKey = timestampKey(options.before, 'before');
  return withTransaction(db, async (trx) => {
    const through = await findAuditPurgeBoundary(trx, beforeKey);
    const last = through > 0 ? await getAuditEventBySeq(trx, through) : undefined;
    if (!last) return { purgedThroughSeq: 0, purgedCount: 0, checkpoint: null };
    const checkpoint = await writeAuditCheckpoint(trx, { signer: options.signer, kind: 'purge', at: { seq: last.seq, hash: last.hash } });
    const purgedCount = await deleteAuditEventsThrough(trx, through);
    return { purgedThroughSeq: through, purgedCount, checkpoint };
  });
}
