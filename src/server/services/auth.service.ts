/**
 * @module Shared pieces of the identity and secrets use cases: who the audit log names as actor,
 * the organisation scope, and running a change together with its audit event in one transaction.
 */
import { auditWriter, type AuditEntity, type AuditEventInput } from '../../audit/index.js';
import { inTransaction, type Repositories } from '../../store/index.js';
import type { UserPrincipal } from '../http/principal.js';

/** Request facts passed from routes to services for auditing. */
export interface RequestInfo {
  requestId?: string;
  ip?: string;
}

export function userActor(principal: Pick<UserPrincipal, 'userId' | 'email'>): AuditEntity {
  return { id: principal.userId, type: 'user', name: principal.email };
}

export function orgScope(orgId: string): AuditEntity {
  return { id: orgId, type: 'organization' };
}

/** Runs `work` and records the events it returns in the same transaction (both commit or neither). */
export async function withAudit<T>(repos: Repositories, work: (trx: Repositories) => Promise<{ result: T; events: AuditEventInput[] }>): Promise<T> {
  return inTransaction(repos, async (trx) => {
    const { result, events } = await work(trx);
    for (const event of events) await auditWriter.record(trx.store.db, event);
    return result;
  });
}

/** The `request` field of an audit event. */
export function auditRequest(info: RequestInfo | undefined): { id: string } | null {
  return info?.requestId ? { id: info.requestId } : null;
}
