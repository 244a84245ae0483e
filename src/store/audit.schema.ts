/** @module Audit log tables (owned by the audit module; created by migration 0003-audit). */

/**
 * One audit event. The seed's fields are stored as given (nested ones as canonical compact JSON
 * text) and hashed into the chain; `seq`, `prev_hash` and `hash` make the chain; `org_id`,
 * `actor_id`, `target_id` and `occurred_key` are derived copies for indexed filtering.
 */
export interface AuditEventTable {
  /** Chain position, 1, 2, 3… with no gaps (assigned under the chain-head lock). */
  seq: number;
  /** UUID of the event (the seed's `id`). */
  id: string;
  /** `scope.id`: the organisation. */
  org_id: string;
  action: string;
  /** JSON {id, type, name?}. */
  actor: string;
  actor_id: string;
  /** JSON {id, type, name?}. */
  target: string;
  target_id: string;
  /** JSON object, schema fixed per action + version. */
  payload: string;
  /** UTC ISO-8601 exactly as recorded (up to 9 fractional digits). */
  occurred_at: string;
  /** `occurred_at` padded to 9 fractional digits, so it sorts and compares lexically. */
  occurred_key: string;
  /** JSON object string → string. */
  metadata: string;
  version: number;
  /** JSON {id, type, name?}. */
  scope: string;
  /** 1 or 0. */
  success: number;
  /** JSON {id} or null. */
  request: string | null;
  prev_hash: string;
  hash: string;
}

/** The single row (id = 1) that every append and checkpoint locks: the chain's current end. */
export interface AuditChainHeadTable {
  id: number;
  seq: number;
  hash: string;
  checkpoint_seq: number;
  checkpoint_signature: string | null;
}

/** A signed statement "the chain had `event_seq` events ending in `event_hash` at `created_at`". */
export interface AuditCheckpointTable {
  seq: number;
  /** periodic | purge */
  kind: string;
  event_seq: number;
  event_hash: string;
  created_at: string;
  prev_signature: string | null;
  key_id: string;
  /** Base64 Ed25519 signature over the checkpoint's signing text. */
  signature: string;
}

/** Public halves of the keys that signed checkpoints (the private key never enters the database). */
export interface AuditSigningKeyTable {
  key_id: string;
  public_key: string;
  created_at: string;
}

/** An HTTP destination (SIEM) that receives every event of an organisation (or of all, if org_id is null). */
export interface AuditDestinationTable {
  id: string;
  org_id: string | null;
  name: string;
  url: string;
  /** Reference the server resolves to the HMAC secret (never the secret itself). */
  secret_ref: string;
  /** active | paused */
  status: string;
  consecutive_failures: number;
  /** While failing: no delivery attempt before this time (exponential backoff). */
  retry_at: string | null;
  delivered_count: number;
  failed_count: number;
  last_error: string | null;
  last_attempt_at: string | null;
  last_success_at: string | null;
  paused_at: string | null;
  created_at: string;
}

/** One pending delivery of one event to one destination; deleted once delivered. */
export interface AuditOutboxTable {
  destination_id: string;
  event_seq: number;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  last_error: string | null;
}

export interface AuditDatabase {
  audit_events: AuditEventTable;
  audit_chain_head: AuditChainHeadTable;
  audit_checkpoints: AuditCheckpointTable;
  audit_signing_keys: AuditSigningKeyTable;
  audit_destinations: AuditDestinationTable;
  audit_outbox: AuditOutboxTable;
}
