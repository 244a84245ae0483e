/**
 * @module The audit log's background work in a running server, and where SIEM destination
 * secrets live.
 *
 * - **Delivery**: {@link startAuditDelivery} drains the outbox; destination HMAC secrets are
 *   resolved through {@link resolveDestinationSecret}.
 * - **Retention** (`--audit-retention-days N`, off by default): at start and then daily, purges
 *   events older than N days with a signed purge checkpoint and records `audit_log.purge` in each
 *   organisation's log, in the same transaction.
 *
 * Destination secrets: the HMAC secret is encrypted with the secrets key ring and stored in the
 * `kv` table under `audit.destination.secret.<destinationId>`, never in the audit tables. The
 * ciphertext is bound (AES-GCM AAD) to the organisation and the destination:
 * `org:<orgId>|context:audit-destination.<destinationId>|name:KILN_AUDIT_HMAC_SECRET`. Real
 * context ids are UUIDs without a dot, so this owner can never be mistaken for a context variable,
 * and a ciphertext copied to another destination or organisation does not decrypt. The
 * destination's `secretRef` is `keyring:<orgId>:<destinationId>`.
 */
import type { Kysely } from 'kysely';
import {
  auditWriter, purgeAuditLog, startAuditDelivery, type AuditDelivery, type AuditPurgeResult, type AuditSigner,
} from '../audit/index.js';
import type { SecretKeys, SecretOwner } from '../secrets/index.js';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { isoPlus } from '../shared/time.js';
import type { Database } from '../store/schema.js';

/** The organisation id used for instance-wide destinations (org null) in the secret binding. */
const INSTANCE_OWNER = '_instance';
const SECRET_NAME = 'KILN_AUDIT_HMAC_SECRET';
const REF = /^keyring:([A-Za-z0-9._-]{1,128}):([A-Za-z0-9._-]{1,128})$/;

function secretOwner(orgId: string | null, destinationId: string): SecretOwner {
  return { orgId: orgId ?? INSTANCE_OWNER, contextId: `audit-destination.${destinationId}`, name: SECRET_NAME };
}

function secretKey(destinationId: string): string {
  return `audit.destination.secret.${destinationId}`;
}

/**
 * Encrypts `secret` for the destination and stores it in `db` (pass the transaction that creates
 * the destination). Returns the destination's `secretRef`.
 */
export async function storeDestinationSecret(
  db: Kysely<Database>,
  keys: SecretKeys,
  input: { orgId: string | null; destinationId: string; secret: string },
): Promise<string> {
  const ciphertext = keys.encrypt(input.secret, secretOwner(input.orgId, input.destinationId));
  const key = secretKey(input.destinationId);
  await db.insertInto('kv').values({ key, value: ciphertext }).onConflict((oc) => oc.column('key').doUpdateSet({ value: ciphertext })).execute();
  return `keyring:${input.orgId ?? INSTANCE_OWNER}:${input.destinationId}`;
}

/** Deletes a destination's stored secret (with the destination, in its transaction). */
export async function deleteDestinationSecret(db: Kysely<Database>, destinationId: string): Promise<void> {
  await db.deleteFrom('kv').where('key', '=', secretKey(destinationId)).execute();
}

/** Turns a `secretRef` back into the HMAC secret (the delivery worker's `resolveSecret`). */
export async function resolveDestinationSecret(db: Kysely<Database>, keys: SecretKeys | undefined, secretRef: string): Promise<string> {
  const match = REF.exec(secretRef);
  if (!match) throw new AppError('internal', 'Unknown audit destination secret reference');
  if (!keys) throw new AppError('unavailable', 'The secrets key ring is not loaded; audit destination secrets cannot be read');
  const [, org, destinationId] = match as unknown as [string, string, string];
  const row = await db.selectFrom('kv').select('value').where('key', '=', secretKey(destinationId)).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'The audit destination secret is missing');
  return keys.decrypt(row.value, secretOwner(org === INSTANCE_OWNER ? null : org, destinationId));
}

const SYSTEM_ACTOR = { id: 'kiln', type: 'system', name: 'audit retention' } as const;

/**
 * Purges events older than `retentionDays` and records `audit_log.purge` in every organisation's
 * log, all in one transaction. Nothing is recorded when nothing was old enough.
 */
export async function runAuditRetention(
  db: Kysely<Database>,
  options: { signer: AuditSigner; retentionDays: number; now?: Date },
): Promise<AuditPurgeResult> {
  const before = isoPlus(-options.retentionDays * 86_400_000, options.now);
  return db.transaction().execute(async (trx) => {
    const result = await purgeAuditLog(trx, { before, signer: options.signer });
    if (result.purgedCount === 0) return result;
    const orgs = await trx.selectFrom('orgs').select('id').orderBy('id').execute();
    for (const org of orgs) {
      await auditWriter.record(trx, {
        action: 'audit_log.purge', actor: SYSTEM_ACTOR, target: { id: org.id, type: 'audit_log' }, scope: { id: org.id, type: 'organization' },
        success: true, payload: { before, purged_through_seq: result.purgedThroughSeq, purged_count: result.purgedCount },
      });
    }
    return result;
  });
}

export interface AuditBackgroundOptions {
  db: Kysely<Database>;
  keys?: SecretKeys;
  signer: AuditSigner;
  /** Keep events this many days; undefined or 0 keeps everything. */
  retentionDays?: number;
  logger: Logger;
  /** Outbox poll interval (default 1 s). */
  deliveryIntervalMs?: number;
  /** Retention period check (default daily). */
  retentionIntervalMs?: number;
  /** Delivery's fetch (tests). */
  fetch?: typeof fetch;
}

export interface AuditBackground {
  delivery: AuditDelivery;
  /** Runs retention now (what the daily timer does); undefined when retention is off. */
  retainNow?: () => Promise<AuditPurgeResult>;
  /** Stops both; resolves when work in progress has finished. */
  stop(): Promise<void>;
}

/** Starts SIEM delivery and, when configured, the retention job. */
export function startAuditBackground(options: AuditBackgroundOptions): AuditBackground {
  const { db, logger } = options;
  const delivery = startAuditDelivery({
    db, logger, intervalMs: options.deliveryIntervalMs, fetch: options.fetch,
    resolveSecret: (ref) => resolveDestinationSecret(db, options.keys, ref),
  });
  const days = options.retentionDays ?? 0;
  if (!(days > 0)) return { delivery, stop: () => delivery.stop() };

  let running: Promise<unknown> = Promise.resolve();
  const retainNow = () => {
    const next = running.then(() => runAuditRetention(db, { signer: options.signer, retentionDays: days }));
    running = next.catch(() => undefined);
    return next;
  };
  const tick = () => {
    retainNow().then(
      (r) => { if (r.purgedCount > 0) logger.info({ purgedCount: r.purgedCount, purgedThroughSeq: r.purgedThroughSeq }, 'audit retention purged old events'); },
      (error: unknown) => logger.error({ err: error }, 'audit retention failed'),
    );
  };
  tick();
  const timer = setInterval(tick, options.retentionIntervalMs ?? 86_400_000);
  timer.unref();
  return {
    delivery,
    retainNow,
    async stop() {
      clearInterval(timer);
      await Promise.all([delivery.stop(), running]);
    },
  };
}
