/**
 * @module Listing audit events with filters and cursor pagination. Access control (admins of the
 * organisation only) is the HTTP route's job; this function trusts its `orgId`.
 */
import type { Kysely } from 'kysely';
import { listAuditEvents } from '../store/audit-event.repository.js';
import type { Database } from '../store/schema.js';
import { AppError } from '../shared/errors.js';
import { timestampKey } from './clock.js';
import type { AuditEvent } from './event.js';
import { presentAuditRow } from './presenter.js';

export interface AuditQuery {
  /** The organisation (scope.id) whose events to list. Required. */
  orgId: string;
  /** `project` matches `project` and `project.*`; `project.env_var.create` matches only itself. */
  actionPrefix?: string;
  actorId?: string;
  targetId?: string;
  /** Inclusive, UTC ISO-8601 (any fractional precision) or YYYY-MM-DD. */
  since?: string;
  /** Exclusive, same forms as `since`. */
  until?: string;
  success?: boolean;
  /** `nextCursor` from the previous page. */
  cursor?: string;
  /** 1..1000, default 100. */
  limit?: number;
  /** Newest first (default) or oldest first. */
  order?: 'asc' | 'desc';
}

export interface AuditPage {
  items: AuditEvent[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

const ACTION_PREFIX = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/** One page of an organisation's audit events, matching every given filter. */
export async function queryAuditLog(db: Kysely<Database>, query: AuditQuery): Promise<AuditPage> {
  if (!query.orgId) throw new AppError('validation_failed', 'orgId is required');
  if (query.actionPrefix !== undefined && !ACTION_PREFIX.test(query.actionPrefix)) {
    throw new AppError('validation_failed', 'action must be dot-separated lowercase words', { field: 'action' });
  }
  const limit = query.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AppError('validation_failed', 'limit must be 1..1000', { field: 'limit' });
  const order = query.order ?? 'desc';
  const position = query.cursor === undefined ? undefined : decodeCursor(query.cursor, order);
  const rows = await listAuditEvents(db, {
    orgId: query.orgId,
    actionPrefix: query.actionPrefix,
    actorId: query.actorId,
    targetId: query.targetId,
    sinceKey: query.since === undefined ? undefined : timestampKey(query.since, 'since'),
    untilKey: query.until === undefined ? undefined : timestampKey(query.until, 'until'),
    success: query.success,
    afterSeq: order === 'asc' ? position : undefined,
    beforeSeq: order === 'desc' ? position : undefined,
    order,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const more = rows.length > limit;
  return { items: page.map(presentAuditRow), nextCursor: more ? encodeCursor(page[page.length - 1].seq, order) : null };
}

/** An opaque cursor: base64url of `v1:<order>:<seq>`. */
function encodeCursor(seq: number, order: 'asc' | 'desc'): string {
  return Buffer.from(`v1:${order}:${seq}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, order: 'asc' | 'desc'): number {
  const match = /^v1:(asc|desc):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || match[1] !== order) throw new AppError('validation_failed', 'Invalid cursor', { field: 'cursor' });
  return Number(match[2]);
}
