/**
 * @module SIEM destinations of the audit log, for organisation admins:
 *
 * - `POST /api/v2/audit-log/destinations` `{name, url, secret?}`: adds one. The HMAC secret (given,
 *   or generated when absent) is answered once and stored encrypted (see audit-background.ts).
 * - `GET /api/v2/audit-log/destinations`: the organisation's destinations (and instance-wide ones)
 *   with their state (`active` | `paused`), last error, counters and pending backlog.
 * - `POST /api/v2/audit-log/destinations/:id/resume`: resumes a paused destination.
 * - `DELETE /api/v2/audit-log/destinations/:id`: removes it and its backlog.
 *
 * Each change records `audit_log.destination.*` in the same transaction. Another organisation's
 * destination, and instance-wide ones, answer 404 to changes.
 */
import { randomBytes } from 'node:crypto';
import {
  createAuditDestination, getDestination, listDestinations, removeDestination, resumeDestination, type AuditDestination, type AuditEventInput,
} from '../../audit/index.js';
import type { SecretKeys } from '../../secrets/index.js';
import { AppError, errors } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Repositories } from '../../store/index.js';
import { deleteDestinationSecret, storeDestinationSecret } from '../audit-background.js';
import type { UserPrincipal } from '../http/principal.js';
import { asUser, defineRoute } from '../http/route.js';
import { auditRequest, orgScope, userActor, withAudit, type RequestInfo } from '../services/auth.service.js';
import type { ServerServices } from '../services/index.js';
import { infoOf } from './auth.route.js';

const BASE = '/api/v2/audit-log/destinations';
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

/** A destination as the API shows it (never its secret or secret reference). */
export function presentDestination(d: AuditDestination) {
  return {
    id: d.id, name: d.name, url: d.url, scope: d.orgId === null ? 'instance' : 'organization', status: d.status,
    consecutive_failures: d.consecutiveFailures, delivered_count: d.deliveredCount, failed_count: d.failedCount, pending: d.pending,
    last_error: d.lastError, last_attempt_at: d.lastAttemptAt, last_success_at: d.lastSuccessAt, paused_at: d.pausedAt,
    retry_at: d.retryAt, created_at: d.createdAt,
  };
}

export interface AuditDestinationRouteOptions {
  /** The secrets key ring; without it, adding a destination answers 503. */
  keys?: SecretKeys;
}

export function auditDestinationRoutes(services: ServerServices, options: AuditDestinationRouteOptions = {}) {
  const { repos } = services;
  return [
    defineRoute<object, object, { name: string; url: string; secret?: string }>({
      method: 'POST', url: BASE, access: { role: 'admin' }, status: 201,
      schema: { body: { type: 'object', additionalProperties: false, required: ['name', 'url'], properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 }, url: { type: 'string', minLength: 8, maxLength: 2000 },
        secret: { type: 'string', minLength: 32, maxLength: 512 },
      } } },
      handler: async ({ principal, body, request }) => {
        const user = asUser(principal);
        if (!options.keys) throw new AppError('unavailable', 'The secrets key ring is not loaded; audit destinations cannot be added');
        const keys = options.keys;
        const secret = body.secret ?? `kiln_whsec_${randomBytes(32).toString('base64url')}`;
        const info = infoOf(request);
        const created = await withAudit(repos, async (trx) => {
          const db = trx.store.db;
          const id = newId();
          const secretRef = await storeDestinationSecret(db, keys, { orgId: user.orgId, destinationId: id, secret });
          const destination = await createAuditDestination(db, { id, orgId: user.orgId, name: body.name, url: body.url, secretRef });
          return { result: destination, events: [event({ user, info }, destination, { action: 'audit_log.destination.create', payload: { name: destination.name, url: destination.url } })] };
        });
        return { ...presentDestination(created), secret };
      },
    }),
    defineRoute({
      method: 'GET', url: BASE, access: { role: 'admin' },
      handler: async ({ principal }) => {
        const user = asUser(principal);
        return { items: (await listDestinations(repos.store.db, { orgId: user.orgId })).map(presentDestination) };
      },
    }),
    defineRoute<{ id: string }>({
      method: 'POST', url: `${BASE}/:id/resume`, access: { role: 'admin' }, schema: { params: idParams },
      handler: async ({ principal, params, request }) => {
        const user = asUser(principal);
        const info = infoOf(request);
        const resumed = await withAudit(repos, async (trx) => {
          const db = trx.store.db;
          const destination = await ownDestination(trx, user, params.id);
          await resumeDestination(db, destination.id);
          return { result: destination, events: [event({ user, info }, destination, { action: 'audit_log.destination.update', payload: { name: destination.name, status: 'active' } })] };
        });
        return presentDestination((await getDestination(repos.store.db, resumed.id)) ?? resumed);
      },
    }),
    defineRoute<{ id: string }>({
      method: 'DELETE', url: `${BASE}/:id`, access: { role: 'admin' }, schema: { params: idParams },
      handler: async ({ principal, params, request }) => {
        const user = asUser(principal);
        const info = infoOf(request);
        await withAudit(repos, async (trx) => {
          const db = trx.store.db;
          const destination = await ownDestination(trx, user, params.id);
          await removeDestination(db, destination.id);
          await deleteDestinationSecret(db, destination.id);
          return { result: undefined, events: [event({ user, info }, destination, { action: 'audit_log.destination.delete', payload: { name: destination.name } })] };
        });
        return { message: 'Audit destination deleted.' };
      },
    }),
  ];
}

/** The caller's organisation's destination; 404 for another organisation's or an instance-wide one. */
async function ownDestination(repos: Repositories, user: UserPrincipal, id: string): Promise<AuditDestination> {
  const destination = await getDestination(repos.store.db, id);
  if (!destination || destination.orgId !== user.orgId) throw errors.notFound('Audit destination');
  return destination;
}

/** One catalogued action with its payload (distributed over the union, so each pair is checked). */
type ActionAndPayload = AuditEventInput extends infer E ? (E extends AuditEventInput ? Pick<E, 'action' | 'payload'> : never) : never;

function event(who: { user: UserPrincipal; info: RequestInfo }, destination: AuditDestination, what: ActionAndPayload): AuditEventInput {
  const { user, info } = who;
  return {
    ...what, actor: userActor(user), target: { id: destination.id, type: 'audit_destination', name: destination.name },
    scope: orgScope(user.orgId), success: true, request: auditRequest(info),
  } as AuditEventInput;
}
