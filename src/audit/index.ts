/**
 * @module The audit log: a hash-chained, checkpoint-signed record of every security event, with
 * filtered queries, streaming CSV/JSONL export, SIEM streaming and retention.
 *
 * Other modules use only {@link auditWriter} (`record(db, event)` inside their transaction) and
 * the {@link AUDIT_ACTIONS} catalogue; the server and CLI use the rest.
 */
export { AUDIT_ACTIONS, isAuditAction, type AuditAction, type AuditActionSpec, type AuditPayload } from './actions.js';
export { GENESIS_HASH, canonicalJson, chainHash } from './canonical.js';
export { createNanoClock, formatEpochNanos, isAuditTimestamp, timestampKey, type AuditClock } from './clock.js';
export { startCheckpointer, writeAuditCheckpoint, type Checkpointer, type CheckpointerOptions } from './checkpoint.js';
export { signAuditDelivery, verifyAuditDelivery, type DeliveryCheck } from './delivery-signature.js';
export { startAuditDelivery, type AuditDelivery, type AuditDeliveryOptions, type AuditDeliveryTick } from './delivery.js';
export {
  createAuditDestination, getDestination, listDestinations, pauseDestination, removeDestination, resumeDestination,
  type AuditDestination, type CreateAuditDestinationInput,
} from './destinations.js';
export type { AuditEntity, AuditEvent, AuditEventInput } from './event.js';
export { AUDIT_EXPORT_CONTENT_TYPES, exportAuditLog, neutralizeCsvCell, type AuditExportFormat, type AuditExportOptions } from './export.js';
export { AUDIT_FIELDS, presentAuditEvent } from './presenter.js';
export { purgeAuditLog, type AuditPurgeResult } from './purge.js';
export { queryAuditLog, type AuditPage, type AuditQuery } from './query.js';
export { auditKeyId, loadAuditSigner, verifyAuditSignature, type AuditSigner, type AuditSignerOptions } from './signer.js';
export { verifyAuditLog, type AuditVerifyKind, type AuditVerifyOptions, type AuditVerifyResult } from './verify.js';
export { auditWriter, createAuditWriter, type AuditWriter } from './writer.js';
