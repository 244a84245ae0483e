/**
 * @module The SIEM delivery worker: drains the outbox, POSTing each event as JSON with
 * `Kiln-Signature` and `Kiln-Event-Id` headers. At least once: a row leaves the outbox only after
 * a 2xx, so a crash or a lost response means a redelivery (receivers dedupe by `id`).
 *
 * Per destination, events go oldest first and a failure stops that destination's batch, so
 * order is kept while one replica delivers. After a failure the destination waits
 * `baseBackoffMs · 2^(failures-1)` (±20 % jitter, capped) and after `maxConsecutiveFailures`
 * in a row it is paused until an admin resumes it.
 */
import type { Kysely } from 'kysely';
import type { AuditDestinationTable } from '../store/audit.schema.js';
import {
  claimAuditDeliveries, completeAuditDelivery, countAuditDelivery, failAuditDelivery, listDueAuditDestinations,
  releaseAuditDeliveries, updateAuditDestination,
} from '../store/audit-delivery.repository.js';
import type { Database } from '../store/schema.js';
import type { Logger } from '../shared/logger.js';
import { isoPlus, nowIso } from '../shared/time.js';
import { signAuditDelivery } from './delivery-signature.js';
import { auditRowJson } from './presenter.js';

export interface AuditDeliveryOptions {
  db: Kysely<Database>;
  /** Turns a destination's `secretRef` into its HMAC secret. */
  resolveSecret: (secretRef: string) => string | Promise<string>;
  /** Defaults to the global fetch (undici). */
  fetch?: typeof fetch;
  /** Poll interval (default 1000 ms). */
  intervalMs?: number;
  /** Events per destination per tick (default 100). */
  batchSize?: number;
  /** Pause a destination after this many failures in a row (default 10). */
  maxConsecutiveFailures?: number;
  /** First retry delay (default 1000 ms); doubles per consecutive failure. */
  baseBackoffMs?: number;
  /** Longest retry delay (default 5 minutes). */
  maxBackoffMs?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  logger?: Logger;
}

export interface AuditDeliveryTick {
  delivered: number;
  failed: number;
  paused: string[];
}

export interface AuditDelivery {
  /** One pass over every due destination (what each timer tick does). */
  runOnce(): Promise<AuditDeliveryTick>;
  /** Stops polling; resolves when a pass in progress has finished. */
  stop(): Promise<void>;
}

/** Starts polling the outbox. Safe to run on every replica: claims are leased. */
export function startAuditDelivery(options: AuditDeliveryOptions): AuditDelivery {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const runOnce = () => {
    const next = running.then(() => deliverOnce(options));
    running = next.catch(() => undefined);
    return next;
  };
  const timer = setInterval(() => {
    if (!stopped) runOnce().catch((error: unknown) => options.logger?.error({ err: error }, 'audit delivery pass failed'));
  }, options.intervalMs ?? 1000);
  timer.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

async function deliverOnce(options: AuditDeliveryOptions): Promise<AuditDeliveryTick> {
  const tick: AuditDeliveryTick = { delivered: 0, failed: 0, paused: [] };
  for (const destination of await listDueAuditDestinations(options.db, nowIso())) {
    await deliverToDestination(options, { destination, tick });
  }
  return tick;
}

async function deliverToDestination(
  options: AuditDeliveryOptions,
  { destination, tick }: { destination: AuditDestinationTable; tick: AuditDeliveryTick },
): Promise<void> {
  const { db } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const claims = await claimAuditDeliveries(db, {
    destinationId: destination.id, now: nowIso(), leaseUntil: isoPlus(timeoutMs * (options.batchSize ?? 100) + 30_000), limit: options.batchSize ?? 100,
  });
  if (claims.length === 0) return;
  const secret = await options.resolveSecret(destination.secret_ref);
  let delivered = 0;
  for (const [index, claim] of claims.entries()) {
    const error = await post(options, { url: destination.url, secret, body: auditRowJson(claim.event), eventId: claim.event.id, timeoutMs });
    if (error === undefined) {
      await completeAuditDelivery(db, { destinationId: destination.id, eventSeq: claim.event.seq });
      delivered += 1;
      continue;
    }
    const failures = destination.consecutive_failures + 1;
    const backoff = backoffMs(options, failures);
    await failAuditDelivery(db, { destinationId: destination.id, eventSeq: claim.event.seq, error, nextAttemptAt: isoPlus(backoff) });
    await releaseAuditDeliveries(db, { destinationId: destination.id, eventSeqs: claims.slice(index + 1).map((c) => c.event.seq) });
    const pause = failures >= (options.maxConsecutiveFailures ?? 10);
    await updateAuditDestination(db, {
      id: destination.id,
      changes: {
        consecutive_failures: failures, last_error: error, last_attempt_at: nowIso(), retry_at: isoPlus(backoff),
        ...(delivered > 0 ? { last_success_at: nowIso() } : {}),
        ...(pause ? { status: 'paused', paused_at: nowIso() } : {}),
      },
    });
    await countAuditDelivery(db, { id: destination.id, delivered, failed: 1 });
    tick.delivered += delivered;
    tick.failed += 1;
    if (pause) {
      tick.paused.push(destination.id);
      options.logger?.warn({ destinationId: destination.id, failures }, 'audit destination paused after consecutive failures');
    }
    return;
  }
  const now = nowIso();
  await updateAuditDestination(db, { id: destination.id, changes: { consecutive_failures: 0, last_error: null, retry_at: null, last_attempt_at: now, last_success_at: now } });
  await countAuditDelivery(db, { id: destination.id, delivered, failed: 0 });
  tick.delivered += delivered;
}

/** POSTs one event; returns undefined on 2xx, else a short reason. */
async function post(
  options: AuditDeliveryOptions,
  request: { url: string; secret: string; body: string; eventId: string; timeoutMs: number },
): Promise<string | undefined> {
  const doFetch = options.fetch ?? fetch;
  try {
    const response = await doFetch(request.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'kiln-audit/1',
        'kiln-event-id': request.eventId,
        'kiln-signature': signAuditDelivery({ secret: request.secret, body: request.body, timestamp: Math.floor(Date.now() / 1000) }),
      },
      body: request.body,
    });
    await response.body?.cancel().catch(() => undefined);
    return response.status >= 200 && response.status < 300 ? undefined : `HTTP ${response.status}`;
  } catch (error) {
    return (error as Error).name === 'TimeoutError' ? 'timeout' : `network error: ${(error as Error).message}`.slice(0, 500);
  }
}

function backoffMs(options: AuditDeliveryOptions, failures: number): number {
  const base = options.baseBackoffMs ?? 1000;
  const capped = Math.min(options.maxBackoffMs ?? 300_000, base * 2 ** Math.min(failures - 1, 30));
  return Math.round(capped * (0.8 + Math.random() * 0.4));
}
