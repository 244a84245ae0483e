/**
 * @module SIEM destinations: where an organisation's audit events are streamed. The HMAC secret
 * is never stored; a destination holds a `secretRef` that the delivery worker's `resolveSecret`
 * turns into the secret (e.g. a keyring ciphertext the server decrypts).
 */
import type { Kysely } from 'kysely';
import type { AuditDestinationTable } from '../store/audit.schema.js';
import {
  countPendingAuditDeliveries, deleteAuditDestination, getAuditDestination, insertAuditDestination,
  listAuditDestinationRows, updateAuditDestination,
} from '../store/audit-delivery.repository.js';
import type { Database } from '../store/schema.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { nowIso } from '../shared/time.js';

/** A destination as shown to admins (no secret reference). */
export interface AuditDestination {
  id: string;
  orgId: string | null;
  name: string;
  url: string;
  status: 'active' | 'paused';
  consecutiveFailures: number;
  deliveredCount: number;
  failedCount: number;
  /** Deliveries waiting in the outbox. */
  pending: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  pausedAt: string | null;
  retryAt: string | null;
  createdAt: string;
}

export interface CreateAuditDestinationInput {
  /** The organisation whose events it receives; null for every organisation (instance operators). */
  orgId: string | null;
  name: string;
  /** http(s) URL without credentials. Plain http only to loopback unless `allowInsecureHttp`. */
  url: string;
  /** Reference resolved to the HMAC secret at delivery time. */
  secretRef: string;
  allowInsecureHttp?: boolean;
  /** The new destination's id (default: a new UUID); lets a caller bind its secret to the id first. */
  id?: string;
}

/** Adds a destination; it receives every event recorded from now on (not earlier ones). */
export async function createAuditDestination(db: Kysely<Database>, input: CreateAuditDestinationInput): Promise<AuditDestination> {
  checkDestinationUrl(input.url, input.allowInsecureHttp ?? false);
  if (!input.name.trim()) throw new AppError('validation_failed', 'name is required', { field: 'name' });
  if (!input.secretRef) throw new AppError('validation_failed', 'secretRef is required', { field: 'secretRef' });
  const row: AuditDestinationTable = {
    id: input.id ?? newId(), org_id: input.orgId, name: input.name.trim(), url: input.url, secret_ref: input.secretRef, status: 'active',
    consecutive_failures: 0, retry_at: null, delivered_count: 0, failed_count: 0, last_error: null,
    last_attempt_at: null, last_success_at: null, paused_at: null, created_at: nowIso(),
  };
  await insertAuditDestination(db, row);
  return presentDestination(row, 0);
}

/** Destinations with their pause state and counters; `orgId` limits to one organisation's (plus global ones). */
export async function listDestinations(db: Kysely<Database>, options: { orgId?: string } = {}): Promise<AuditDestination[]> {
  const [rows, pending] = await Promise.all([listAuditDestinationRows(db, options), countPendingAuditDeliveries(db)]);
  return rows.map((r) => presentDestination(r, pending.get(r.id) ?? 0));
}

/** One destination with its pause state and counters, or undefined. */
export async function getDestination(db: Kysely<Database>, id: string): Promise<AuditDestination | undefined> {
  const row = await getAuditDestination(db, id);
  if (!row) return undefined;
  const pending = await countPendingAuditDeliveries(db);
  return presentDestination(row, pending.get(row.id) ?? 0);
}

/** Resumes a paused destination: it retries its backlog at once with the failure count reset. */
export async function resumeDestination(db: Kysely<Database>, id: string): Promise<void> {
  if (!(await getAuditDestination(db, id))) throw new AppError('not_found', 'Audit destination not found');
  await updateAuditDestination(db, { id, changes: { status: 'active', consecutive_failures: 0, retry_at: null, paused_at: null } });
}

/** Pauses a destination by hand; events keep queueing for it. */
export async function pauseDestination(db: Kysely<Database>, id: string): Promise<void> {
  if (!(await getAuditDestination(db, id))) throw new AppError('not_found', 'Audit destination not found');
  await updateAuditDestination(db, { id, changes: { status: 'paused', paused_at: nowIso() } });
}

/** Removes a destination and its undelivered backlog. */
export async function removeDestination(db: Kysely<Database>, id: string): Promise<void> {
  await deleteAuditDestination(db, id);
}

function checkDestinationUrl(raw: string, allowInsecureHttp: boolean): void {
  let url: URL;
  try { url = new URL(raw); } catch { throw new AppError('validation_failed', 'url is not a valid URL', { field: 'url' }); }
  if (url.username || url.password) throw new AppError('validation_failed', 'url must not contain credentials', { field: 'url' });
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && (loopback || allowInsecureHttp))) return;
  throw new AppError('validation_failed', 'url must use https', { field: 'url' });
}

function presentDestination(r: AuditDestinationTable, pending: number): AuditDestination {
  return {
    id: r.id, orgId: r.org_id, name: r.name, url: r.url, status: r.status === 'paused' ? 'paused' : 'active',
    consecutiveFailures: r.consecutive_failures, deliveredCount: r.delivered_count, failedCount: r.failed_count, pending,
    lastError: r.last_error, lastAttemptAt: r.last_attempt_at, lastSuccessAt: r.last_success_at, pausedAt: r.paused_at,
    retryAt: r.retry_at, createdAt: r.created_at,
  };
}
