/**
 * @module Presenters: the only way an audit row leaves the module. They whitelist the seed's
 * eleven fields (in the seed's order); chain columns and derived index columns never leak.
 */
import type { AuditEventTable } from '../store/audit.schema.js';
import type { AuditEntity, AuditEvent } from './event.js';

/** The seed's fields, in the seed's order: the CSV column order and the JSON key order. */
export const AUDIT_FIELDS = [
  'action', 'actor', 'target', 'payload', 'occurred_at', 'metadata', 'id', 'version', 'scope', 'success', 'request',
] as const;

type StoredFields = Pick<AuditEventTable, 'action' | 'actor' | 'target' | 'payload' | 'occurred_at' | 'metadata' | 'id' | 'version' | 'scope' | 'success' | 'request'>;

/** A stored row as the public event object. */
export function presentAuditRow(row: StoredFields): AuditEvent {
  return {
    action: row.action,
    actor: JSON.parse(row.actor) as AuditEntity,
    target: JSON.parse(row.target) as AuditEntity,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    occurred_at: row.occurred_at,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    id: row.id,
    version: Number(row.version),
    scope: JSON.parse(row.scope) as AuditEntity,
    success: Boolean(Number(row.success)),
    request: row.request === null ? null : JSON.parse(row.request) as { id: string },
  };
}

/**
 * A stored row as one compact JSON object text, without parsing its nested columns (they are
 * already canonical JSON). Used by JSONL export and SIEM delivery.
 */
export function auditRowJson(row: StoredFields): string {
  return `{"action":${JSON.stringify(row.action)},"actor":${row.actor},"target":${row.target},"payload":${row.payload},`
    + `"occurred_at":${JSON.stringify(row.occurred_at)},"metadata":${row.metadata},"id":${JSON.stringify(row.id)},`
    + `"version":${Number(row.version)},"scope":${row.scope},"success":${Number(row.success) ? 'true' : 'false'},"request":${row.request ?? 'null'}}`;
}

/**
 * Whitelists an event object's seed fields (for callers that hold an {@link AuditEvent} built
 * elsewhere, e.g. the HTTP route).
 */
export function presentAuditEvent(event: AuditEvent): AuditEvent {
  return {
    action: event.action, actor: entity(event.actor), target: entity(event.target), payload: event.payload,
    occurred_at: event.occurred_at, metadata: event.metadata, id: event.id, version: event.version,
    scope: entity(event.scope), success: event.success, request: event.request === null ? null : { id: event.request.id },
  };
}

function entity(e: AuditEntity): AuditEntity {
  return e.name === undefined ? { id: e.id, type: e.type } : { id: e.id, type: e.type, name: e.name };
}
