/**
 * @module The canonical form of an event and the chain hash over it.
 *
 * Canonical JSON: object keys sorted by UTF-16 code unit, no whitespace, `undefined` fields dropped,
 * non-finite numbers refused. Nested fields are stored in this form, so parsing a stored value and
 * canonicalising it again gives back the same text, and anyone holding an export can re-hash it.
 *
 * `hash = hex(SHA-256(prev_hash + "\n" + JSON.stringify(["kiln.audit.v1", action, actor, target,
 * payload, occurred_at, metadata, id, version, scope, success, request])))` where the nested fields
 * are their canonical JSON texts (request: text or null). Every seed field is covered, so changing
 * `occurred_at` by one nanosecond changes the hash.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../shared/errors.js';

/** The `prev_hash` of event 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** Canonical compact JSON of a JSON-compatible value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new AppError('validation_failed', 'Audit values must be finite numbers');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value).sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  throw new AppError('validation_failed', `Audit values must be JSON (got ${typeof value})`);
}

/** The stored, hashed columns of one event (nested fields as canonical JSON text). */
export interface HashedFields {
  action: string;
  actor: string;
  target: string;
  payload: string;
  occurred_at: string;
  metadata: string;
  id: string;
  version: number;
  scope: string;
  /** 1 or 0 as stored; hashed as a boolean. */
  success: number | boolean;
  request: string | null;
}

/** The chain hash of an event given its predecessor's hash. */
export function chainHash(prevHash: string, e: HashedFields): string {
  const line = JSON.stringify(['kiln.audit.v1', e.action, e.actor, e.target, e.payload, e.occurred_at, e.metadata, e.id, e.version, e.scope, Boolean(e.success), e.request]);
  return createHash('sha256').update(prevHash).update('\n').update(line).digest('hex');
}
