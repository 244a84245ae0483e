/**
 * @module `GET /api/v2/audit-log`: organisation admins only (401 anonymous, 403 everyone else,
 * including admins naming another organisation). JSON pages, or `format=csv|jsonl` downloads
 * streamed with constant memory. Reading and exporting are themselves audited.
 */
import { AUDIT_EXPORT_CONTENT_TYPES, auditWriter, exportAuditLog, presentAuditEvent, queryAuditLog } from '../../audit/index.js';
import { errors } from '../../shared/errors.js';
import { asUser, defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';

interface AuditQuery {
  org_id?: string;
  action?: string;
  actor_id?: string;
  target_id?: string;
  since?: string;
  until?: string;
  success?: boolean;
  page_token?: string;
  limit?: number;
  format?: 'json' | 'csv' | 'jsonl';
}

export function auditRoutes(services: ServerServices) {
  const db = services.repos.store.db;
  return [
    defineRoute<object, AuditQuery>({
      method: 'GET', url: '/api/v2/audit-log', access: { role: 'admin' },
      schema: { querystring: { type: 'object', additionalProperties: false, properties: {
        org_id: { type: 'string', maxLength: 64 }, action: { type: 'string', maxLength: 200 }, actor_id: { type: 'string', maxLength: 200 },
        target_id: { type: 'string', maxLength: 200 }, since: { type: 'string', maxLength: 40 }, until: { type: 'string', maxLength: 40 },
        success: { type: 'boolean' }, page_token: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: 1000 },
        format: { enum: ['json', 'csv', 'jsonl'] },
      } } },
      handler: async ({ principal, query, request, reply }) => {
        const user = asUser(principal);
        if (query.org_id && query.org_id !== user.orgId) throw errors.forbidden('Only admins of that organisation may read its audit log');
        const actor = { id: user.userId, type: 'user', name: user.email };
        const scope = { id: user.orgId, type: 'organization' };
        const filters = { orgId: user.orgId, actionPrefix: query.action, actorId: query.actor_id, targetId: query.target_id, since: query.since, until: query.until, success: query.success };
        if (query.format === 'csv' || query.format === 'jsonl') {
          const stream = exportAuditLog(db, { orgId: user.orgId, format: query.format, since: query.since, until: query.until });
          await auditWriter.record(db, {
            action: 'audit_log.export', actor, target: { id: user.orgId, type: 'audit_log' }, scope, success: true, request: { id: request.id },
            payload: { format: query.format, ...(query.since ? { since: query.since } : {}), ...(query.until ? { until: query.until } : {}) },
          });
          reply.header('content-type', AUDIT_EXPORT_CONTENT_TYPES[query.format]);
          reply.header('content-disposition', `attachment; filename="audit-log.${query.format}"`);
          return reply.send(stream);
        }
        const page = await queryAuditLog(db, { ...filters, cursor: query.page_token, limit: query.limit });
        await auditWriter.record(db, {
          action: 'audit_log.read', actor, target: { id: user.orgId, type: 'audit_log' }, scope, success: true, request: { id: request.id },
          payload: { filters: Object.fromEntries(Object.entries({ action: query.action, actor_id: query.actor_id, target_id: query.target_id, since: query.since, until: query.until }).filter(([, v]) => v !== undefined)) as Record<string, string>, result_count: page.items.length },
        });
        return { items: page.items.map(presentAuditEvent), next_page_token: page.nextCursor ?? null };
      },
    }),
  ];
}
