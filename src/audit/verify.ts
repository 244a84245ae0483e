/**
 * @module Verifies the audit log directly on the database: the hash chain row by row, and every
 * signed checkpoint against it. Reports the first broken point and names what happened to it.
 * Memory stays constant in the number of events (keyset pages); it grows only with the number of
 * distinct checkpointed positions.
 */
import type { Kysely } from 'kysely';
import type { AuditCheckpointTable } from '../store/audit.schema.js';
import {
  findAuditSeqByHash, listAuditCheckpoints, listAuditEvents, listAuditSigningKeys, readAuditChainHead,
} from '../store/audit-event.repository.js';
import type { Database } from '../store/schema.js';
import { GENESIS_HASH, chainHash } from './canonical.js';
import { checkpointSigningText } from './checkpoint.js';
import { auditKeyId, verifyAuditSignature } from './signer.js';

/**
 * What broke: `modified` (a row's content no longer matches its hash, or a re-hashed row no longer
 * matches what the next row or a signed checkpoint recorded), `deleted` (rows missing from the
 * start or middle), `truncated` (newest rows missing, caught by the latest checkpoint),
 * `reordered` (rows present but out of order), `bad_checkpoint` (a checkpoint with a bad
 * signature, an unknown key, or missing from / moved within the checkpoint chain),
 * `stale_checkpoint` (the newest checkpoint is older than allowed: checkpoints were deleted or
 * the checkpointer is not running).
 */
export type AuditVerifyKind = 'ok' | 'modified' | 'deleted' | 'truncated' | 'reordered' | 'bad_checkpoint' | 'stale_checkpoint';

export interface AuditVerifyResult {
  ok: boolean;
  kind: AuditVerifyKind;
  /** The first broken event seq (or checkpoint seq for checkpoint kinds); null when ok. */
  seq: number | null;
  message: string;
  eventsChecked: number;
  /** The last event seq present in the log (0 if empty). */
  lastSeq: number;
  checkpointsChecked: number;
  /** Weaknesses that are not breaks, e.g. no checkpoint yet. */
  warnings: string[];
}

export interface AuditVerifyOptions {
  db: Kysely<Database>;
  /**
   * The trusted Ed25519 public key (PEM, e.g. `<key>.pub` kept offline). Without it, signatures
   * are checked against the public keys stored in the database, which an attacker with write
   * access could replace; the result then carries a warning.
   */
  publicKeyPem?: string;
  /** Fail with `stale_checkpoint` when the newest checkpoint is older than this. */
  maxCheckpointAgeMs?: number;
  /** Defaults to Date.now(); for tests. */
  now?: number;
  batchSize?: number;
}

interface CheckpointSummary {
  count: number;
  latest?: AuditCheckpointTable;
  /** The checkpoint covering the most events. */
  widest?: AuditCheckpointTable;
  /** event_seq → event_hash, for every distinct checkpointed position. */
  hashAt: Map<number, string>;
  /** event_seq of every purge checkpoint. */
  purgedThrough: Set<number>;
}

type Failure = Omit<AuditVerifyResult, 'eventsChecked' | 'lastSeq' | 'checkpointsChecked' | 'warnings'>;

function fail(kind: AuditVerifyKind, seq: number, message: string): Failure {
  return { ok: false, kind, seq, message };
}

/** Verifies the whole audit log. Never throws for a broken log; only for database errors. */
export async function verifyAuditLog(options: AuditVerifyOptions): Promise<AuditVerifyResult> {
  const warnings: string[] = [];
  const summary: CheckpointSummary = { count: 0, hashAt: new Map(), purgedThrough: new Set() };
  const counts = { eventsChecked: 0, lastSeq: 0, checkpointsChecked: 0 };
  const done = (f: Failure): AuditVerifyResult => ({ ...f, ...counts, checkpointsChecked: summary.count, warnings });

  const checkpointFailure = await checkCheckpoints(options, summary, warnings);
  if (checkpointFailure) return done(checkpointFailure);
  if (summary.count === 0) warnings.push('No signed checkpoint yet: deleting the newest events would go unnoticed until one is written.');

  const chainFailure = await checkChain(options, summary, counts);
  if (chainFailure) return done(chainFailure);

  const head = await readAuditChainHead(options.db);
  if (head.seq > counts.lastSeq) {
    return done(fail('truncated', counts.lastSeq + 1, `Events ${counts.lastSeq + 1}..${head.seq} are missing: the chain head says ${head.seq} events were written.`));
  }
  const latest = summary.latest;
  if (latest && options.maxCheckpointAgeMs !== undefined) {
    const age = (options.now ?? Date.now()) - Date.parse(latest.created_at);
    if (age > options.maxCheckpointAgeMs) {
      return done(fail('stale_checkpoint', latest.seq, `The newest checkpoint (#${latest.seq}, ${latest.created_at}) is older than ${options.maxCheckpointAgeMs} ms: newer checkpoints were deleted or the checkpointer is not running.`));
    }
  }
  return done({ ok: true, kind: 'ok', seq: null, message: `Audit log intact: ${counts.eventsChecked} events through seq ${counts.lastSeq}, ${summary.count} signed checkpoints.` });
}

async function checkCheckpoints(options: AuditVerifyOptions, summary: CheckpointSummary, warnings: string[]): Promise<Failure | undefined> {
  const storedKeys = await listAuditSigningKeys(options.db);
  const trustedId = options.publicKeyPem ? auditKeyId(options.publicKeyPem) : undefined;
  if (!trustedId) warnings.push('Checkpoint signatures were checked against public keys stored in the database; pass the offline public key for an independent check.');
  let prev: AuditCheckpointTable | undefined;
  for (let after = 0; ;) {
    const page = await listAuditCheckpoints(options.db, { afterSeq: after, limit: options.batchSize ?? 5000 });
    if (page.length === 0) break;
    for (const c of page) {
      const key = trustedId ? (c.key_id === trustedId ? options.publicKeyPem : undefined) : storedKeys.get(c.key_id);
      if (!key) return fail('bad_checkpoint', c.seq, `Checkpoint #${c.seq} is signed by unknown key ${c.key_id}.`);
      if (!verifyAuditSignature({ publicKeyPem: key, text: checkpointSigningText(c), signature: c.signature })) {
        return fail('bad_checkpoint', c.seq, `Checkpoint #${c.seq} has an invalid signature: it was edited or forged.`);
      }
      const expectedSeq = (prev?.seq ?? 0) + 1;
      if (c.seq !== expectedSeq || c.prev_signature !== (prev?.signature ?? null)) {
        return fail('bad_checkpoint', expectedSeq, `Checkpoint #${expectedSeq} is missing or was moved from its original location (checkpoint #${c.seq} does not link to #${prev?.seq ?? 'none'}).`);
      }
      if (c.kind === 'periodic' && summary.widest && c.event_seq < summary.widest.event_seq) {
        return fail('bad_checkpoint', c.seq, `Checkpoint #${c.seq} covers fewer events than #${summary.widest.seq}.`);
      }
      const known = summary.hashAt.get(c.event_seq);
      if (known !== undefined && known !== c.event_hash) {
        return fail('bad_checkpoint', c.seq, `Checkpoint #${c.seq} disagrees with an earlier checkpoint about event ${c.event_seq}.`);
      }
      summary.hashAt.set(c.event_seq, c.event_hash);
      if (c.kind === 'purge') summary.purgedThrough.add(c.event_seq);
      if (!summary.widest || c.event_seq > summary.widest.event_seq) summary.widest = c;
      summary.count += 1;
      prev = c;
    }
    after = page[page.length - 1].seq;
  }
  summary.latest = prev;
  return undefined;
}

async function checkChain(
  options: AuditVerifyOptions,
  summary: CheckpointSummary,
  counts: { eventsChecked: number; lastSeq: number },
): Promise<Failure | undefined> {
  const { db } = options;
  let expectedSeq = 0;
  let expectedPrev = '';
  for (let after = 0; ;) {
    const page = await listAuditEvents(db, { afterSeq: after, order: 'asc', limit: options.batchSize ?? 5000 });
    if (page.length === 0) break;
    for (const row of page) {
      if (expectedSeq === 0) {
        // The first row: either event 1, or the first event after a signed purge checkpoint.
        const start = startOfChain(row.seq, summary);
        if ('failure' in start) return start.failure;
        ({ expectedSeq, expectedPrev } = start);
      }
      if (chainHash(row.prev_hash, row) !== row.hash) {
        return fail('modified', row.seq, `Event ${row.seq} was modified: its content no longer matches its hash.`);
      }
      if (row.prev_hash !== expectedPrev) return explainBrokenLink(db, { row, expectedSeq });
      if (row.seq !== expectedSeq) return fail('modified', expectedSeq, `Event ${row.seq} has the sequence number of event ${expectedSeq}'s place: seq values were edited.`);
      const signed = summary.hashAt.get(row.seq);
      if (signed !== undefined && signed !== row.hash) {
        return fail('modified', row.seq, `Event ${row.seq} does not match the signed checkpoint: the log was rewritten at or before it.`);
      }
      expectedPrev = row.hash;
      expectedSeq = row.seq + 1;
      counts.eventsChecked += 1;
      counts.lastSeq = row.seq;
    }
    after = page[page.length - 1].seq;
  }
  if (expectedSeq === 0) counts.lastSeq = Math.max(0, ...summary.purgedThrough);
  const widest = summary.widest;
  if (widest && widest.event_seq > counts.lastSeq) {
    return fail('truncated', counts.lastSeq + 1, `Events ${counts.lastSeq + 1}..${widest.event_seq} were deleted from the end of the log: signed checkpoint #${widest.seq} (${widest.created_at}) covers ${widest.event_seq} events.`);
  }
  return undefined;
}

function startOfChain(firstSeq: number, summary: CheckpointSummary): { expectedSeq: number; expectedPrev: string } | { failure: Failure } {
  if (firstSeq === 1) return { expectedSeq: 1, expectedPrev: GENESIS_HASH };
  if (summary.purgedThrough.has(firstSeq - 1)) return { expectedSeq: firstSeq, expectedPrev: summary.hashAt.get(firstSeq - 1)! };
  const purged = Math.max(0, ...[...summary.purgedThrough].filter((s) => s < firstSeq));
  return { failure: fail('deleted', purged + 1, `Events ${purged + 1}..${firstSeq - 1} were deleted from the start of the log without a purge checkpoint.`) };
}

async function explainBrokenLink(
  db: Kysely<Database>,
  { row, expectedSeq }: { row: { seq: number; prev_hash: string }; expectedSeq: number },
): Promise<Failure> {
  const predecessor = await findAuditSeqByHash(db, row.prev_hash);
  if (predecessor !== undefined) {
    return fail('reordered', expectedSeq, `Events are out of order at seq ${expectedSeq}: the event stored there follows the event now stored at seq ${predecessor}.`);
  }
  if (row.seq > expectedSeq) {
    const missing = row.seq - expectedSeq > 1 ? `Events ${expectedSeq}..${row.seq - 1} were` : `Event ${expectedSeq} was`;
    return fail('deleted', expectedSeq, `${missing} deleted: event ${row.seq} links to an event that is no longer in the log.`);
  }
  return fail('modified', expectedSeq - 1, `Event ${expectedSeq - 1} was modified and re-hashed: event ${row.seq} links to a different version of it.`);
}
