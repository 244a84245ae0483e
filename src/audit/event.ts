/**
 * @module The audit event: the seed's eleven fields, what writers pass in, and the validation that
 * turns an input into the row that is stored and hashed.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../shared/errors.js';
import { AUDIT_ACTIONS, isAuditAction, type AuditAction, type AuditPayload } from './actions.js';
import { canonicalJson } from './canonical.js';
import { isAuditTimestamp, timestampKey, type AuditClock } from './clock.js';
import { isPlainObject } from './payload-schema.js';
import type { AuditEventTable } from '../store/audit.schema.js';

/** An actor, target or scope: `id` and `type` always, `name` often. */
export interface AuditEntity {
  id: string;
  type: string;
  name?: string;
}

/** An audit event exactly as the seed defines it, in the seed's field order. */
export interface AuditEvent {
  action: string;
  actor: AuditEntity;
  target: AuditEntity;
  payload: Record<string, unknown>;
  /** UTC ISO-8601 with up to nine fractional digits, kept exactly as recorded. */
  occurred_at: string;
  metadata: Record<string, string>;
  id: string;
  version: number;
  /** The organisation the target belongs to. */
  scope: AuditEntity;
  success: boolean;
  /** Shared by every event one external request caused; null for events with no request (scheduler, runner lease expiry). */
  request: { id: string } | null;
}

interface AuditEventInputBase {
  actor: AuditEntity;
  target: AuditEntity;
  scope: AuditEntity;
  /** false records a failed or denied attempt. */
  success: boolean;
  request?: { id: string } | null;
  metadata?: Record<string, string>;
  /** Defaults to the writer's nanosecond clock; pass one only to record a time observed elsewhere. */
  occurred_at?: string;
  /** Defaults to a new UUID. */
  id?: string;
}

/** What a writer passes: a catalogued action with its typed payload (a discriminated union on `action`). */
export type AuditEventInput = {
  [A in AuditAction]: AuditEventInputBase & { action: A; payload: AuditPayload<A> }
}[AuditAction];

/** The columns of a validated event before it is placed in the chain (the table row minus the chain fields). */
export type PreparedEvent = Omit<AuditEventTable, 'seq' | 'prev_hash' | 'hash'>;

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const ENTITY_TYPE = /^[a-z][a-z0-9_]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_FIELD = 1024;

/**
 * Validates an input against the seed's field rules and the action's catalogue entry, and returns
 * the row to store. Throws `validation_failed` listing every problem; nothing partial is stored.
 */
export function prepareEvent(input: AuditEventInput, clock: AuditClock): PreparedEvent {
  const problems: string[] = [];
  const raw = input as unknown as Record<string, unknown>;
  const action = typeof raw.action === 'string' ? raw.action : '';
  if (!ACTION.test(action) || !isAuditAction(action)) {
    throw new AppError('validation_failed', `Unknown audit action "${String(raw.action)}"`, { problems: ['action: not in AUDIT_ACTIONS'] });
  }
  const spec = AUDIT_ACTIONS[action];
  const allowed = new Set(['action', 'actor', 'target', 'scope', 'success', 'request', 'metadata', 'occurred_at', 'id', 'payload']);
  for (const key of Object.keys(raw)) if (!allowed.has(key)) problems.push(`${key}: unknown field`);
  checkEntity(raw.actor, 'actor', problems);
  checkEntity(raw.target, 'target', problems);
  checkEntity(raw.scope, 'scope', problems);
  const target = raw.target as AuditEntity | undefined;
  if (target && typeof target.type === 'string' && !spec.targetTypes.includes(target.type)) {
    problems.push(`target.type: ${action} takes a target of type ${spec.targetTypes.join(' | ')}`);
  }
  if (typeof raw.success !== 'boolean') problems.push('success: expected a boolean');
  const request = raw.request ?? null;
  if (request !== null && !(isPlainObject(request) && Object.keys(request).length === 1 && isShortString(request.id))) {
    problems.push('request: expected {id: string} or null');
  }
  const metadata = raw.metadata ?? {};
  if (!isPlainObject(metadata)) problems.push('metadata: expected an object of strings');
  else for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') problems.push(`metadata.${k}: expected a string`);
  if (raw.occurred_at !== undefined && !(typeof raw.occurred_at === 'string' && isAuditTimestamp(raw.occurred_at))) {
    problems.push('occurred_at: expected UTC ISO-8601 like 2026-01-02T03:04:05.123456789Z');
  }
  if (raw.id !== undefined && !(typeof raw.id === 'string' && UUID.test(raw.id))) problems.push('id: expected a lowercase UUID');
  spec.payload.check(raw.payload, 'payload', problems);
  if (problems.length > 0) {
    throw new AppError('validation_failed', `Invalid ${action} audit event: ${problems.join('; ')}`, { problems });
  }
  const occurredAt = (raw.occurred_at as string | undefined) ?? clock.now();
  const actor = raw.actor as AuditEntity;
  const scope = raw.scope as AuditEntity;
  return {
    id: (raw.id as string | undefined) ?? randomUUID(),
    org_id: scope.id,
    action,
    actor: canonicalJson(pickEntity(actor)),
    actor_id: actor.id,
    target: canonicalJson(pickEntity(target as AuditEntity)),
    target_id: (target as AuditEntity).id,
    payload: canonicalJson(raw.payload),
    occurred_at: occurredAt,
    occurred_key: timestampKey(occurredAt, 'occurred_at'),
    metadata: canonicalJson(metadata),
    version: spec.version,
    scope: canonicalJson(pickEntity(scope)),
    success: raw.success ? 1 : 0,
    request: request === null ? null : canonicalJson({ id: (request as { id: string }).id }),
  };
}

function pickEntity(e: AuditEntity): AuditEntity {
  return e.name === undefined ? { id: e.id, type: e.type } : { id: e.id, type: e.type, name: e.name };
}

function checkEntity(value: unknown, path: string, problems: string[]): void {
  if (!isPlainObject(value)) { problems.push(`${path}: expected {id, type, name?}`); return; }
  for (const key of Object.keys(value)) if (!['id', 'type', 'name'].includes(key)) problems.push(`${path}.${key}: unknown field`);
  if (!isShortString(value.id)) problems.push(`${path}.id: expected a non-empty string`);
  if (typeof value.type !== 'string' || !ENTITY_TYPE.test(value.type)) problems.push(`${path}.type: expected a lowercase word`);
  if (value.name !== undefined && !(typeof value.name === 'string' && value.name.length <= MAX_FIELD)) problems.push(`${path}.name: expected a string`);
}

function isShortString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_FIELD;
}
