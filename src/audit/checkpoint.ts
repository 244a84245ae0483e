/**
 * @module Signed checkpoints. A checkpoint states "the chain held `event_seq` events ending in
 * `event_hash` at `created_at`", signed with Ed25519 and linked to the previous checkpoint's
 * signature. Written periodically even when nothing happened, so deleting the newest rows (and
 * patching the chain head) is caught: the latest checkpoint names a seq that is no longer there.
 */
import type { Kysely } from 'kysely';
import type { AuditCheckpointTable } from '../store/audit.schema.js';
import { advanceAuditCheckpointHead, insertAuditCheckpoint, saveAuditSigningKey } from '../store/audit-event.repository.js';
import type { Database } from '../store/schema.js';
import type { Logger } from '../shared/logger.js';
import { nowIso } from '../shared/time.js';
import type { AuditSigner } from './signer.js';
import { withTransaction } from './writer.js';

export type CheckpointKind = 'periodic' | 'purge';

/** The exact text a checkpoint's signature covers. */
export function checkpointSigningText(c: Omit<AuditCheckpointTable, 'signature' | 'key_id'>): string {
  return ['kiln-audit-checkpoint-v1', c.seq, c.kind, c.event_seq, c.event_hash, c.created_at, c.prev_signature ?? 'null'].join('\n');
}

/**
 * Signs and stores a checkpoint of the chain's current end (or, for a purge, of the last purged
 * event `at`). Runs in `db`'s transaction if it is
 * one (a purge uses this to checkpoint and delete atomically), else in its own.
 */
export async function writeAuditCheckpoint(
  db: Kysely<Database>,
  options: { signer: AuditSigner; kind?: CheckpointKind; at?: { seq: number; hash: string } },
): Promise<AuditCheckpointTable> {
  const { signer } = options;
  return withTransaction(db, async (trx) => {
    const head = await advanceAuditCheckpointHead(trx);
    const unsigned = {
      seq: head.checkpoint_seq,
      kind: options.kind ?? 'periodic',
      event_seq: options.at?.seq ?? head.seq,
      event_hash: options.at?.hash ?? head.hash,
      created_at: nowIso(),
      prev_signature: head.checkpoint_signature,
    };
    const checkpoint: AuditCheckpointTable = { ...unsigned, key_id: signer.keyId, signature: signer.sign(checkpointSigningText(unsigned)) };
    await saveAuditSigningKey(trx, { keyId: signer.keyId, publicKeyPem: signer.publicKeyPem, now: unsigned.created_at });
    await insertAuditCheckpoint(trx, checkpoint);
    return checkpoint;
  });
}

/** A running checkpointer. */
export interface Checkpointer {
  /** Writes one checkpoint now (also what each tick does). */
  checkpointNow(): Promise<AuditCheckpointTable>;
  /** Stops the timer; resolves once a checkpoint in progress has finished. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  db: Kysely<Database>;
  signer: AuditSigner;
  /** How often to checkpoint; this is the window in which deleting the newest rows goes unnoticed. Default 15 minutes. */
  intervalMs?: number;
  logger?: Logger;
}

/**
 * Writes a checkpoint at start and then every `intervalMs`, whether or not events were recorded.
 * Several replicas may each run one: checkpoints serialise on the chain head and stay one chain.
 */
export function startCheckpointer(options: CheckpointerOptions): Checkpointer {
  const intervalMs = options.intervalMs ?? 15 * 60_000;
  let running: Promise<unknown> = Promise.resolve();
  const checkpointNow = () => {
    const next = running.then(() => writeAuditCheckpoint(options.db, { signer: options.signer }));
    running = next.catch(() => undefined);
    return next;
  };
  const tick = () => {
    checkpointNow().catch((error: unknown) => options.logger?.error({ err: error }, 'audit checkpoint failed'));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    checkpointNow,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
