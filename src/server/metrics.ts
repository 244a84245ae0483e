/**
 * @module Prometheus metrics for operators (`GET /metrics`), on a registry of their own.
 *
 * - `kiln_http_requests_total` / `kiln_http_request_duration_seconds`: by method, route template
 *   (e.g. `/api/v2/project/:vcs/:org/:name`, never the raw URL or an id) and status code.
 * - `kiln_queue_depth`: queued tasks; `kiln_jobs`: jobs by state. Both are read from the
 *   database when scraped, so every replica reports the same, current values.
 * - `kiln_websocket_clients`: live connections of this process.
 * - Node's default process metrics (`kiln_process_*`, `kiln_nodejs_*`).
 *
 * Labels come only from route templates, HTTP methods, status codes and fixed job states: no
 * secret, id, query string or audit payload can reach a series.
 *
 * Access (see README): admins by default; `--metrics-public` makes it public (for a scraper on a
 * private network); `KILN_METRICS_TOKEN` accepts that bearer token instead (Prometheus'
 * `authorization.credentials_file`), compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { errors } from '../shared/errors.js';
import type { Database } from '../store/schema.js';
import { extractToken } from './http/authenticate.js';
import type { Access, Principal } from './http/principal.js';
import { authorize, defineRoute, type AnyRoute } from './http/route.js';

/** Who may scrape `/metrics`. */
export type MetricsAccess =
  | { readonly mode: 'admin' }
  | { readonly mode: 'public' }
  | { readonly mode: 'token'; readonly token: string };

export interface KilnMetrics {
  readonly registry: Registry;
  /** The Fastify onResponse hook that counts and times each request. */
  observe(request: FastifyRequest, reply: FastifyReply): void;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Job states reported even when zero, so dashboards see a stable set of series. */
const JOB_STATES = ['blocked', 'queued', 'running', 'on_hold', 'success', 'failed', 'canceled', 'not_run', 'infrastructure_fail', 'timedout', 'unauthorized'] as const;
const JOB_STATE_SET = new Set<string>(JOB_STATES);

export function createMetrics(options: { db: Kysely<Database>; liveClients: () => number; defaultMetrics?: boolean }): KilnMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'kiln_' });
  const requests = new Counter({
    name: 'kiln_http_requests_total', help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const, registers: [registry],
  });
  const duration = new Histogram({
    name: 'kiln_http_request_duration_seconds', help: 'HTTP request latency in seconds, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const, registers: [registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  });
  const db = options.db;
  new Gauge({
    name: 'kiln_queue_depth', help: 'Tasks queued and waiting for a runner', registers: [registry],
    async collect() {
      const row = await db.selectFrom('tasks').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'queued').executeTakeFirst();
      this.set(Number(row?.n ?? 0));
    },
  });
  new Gauge({
    name: 'kiln_jobs', help: 'Jobs by state', labelNames: ['state'] as const, registers: [registry],
    async collect() {
      const rows = await db.selectFrom('jobs').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
      const counts = new Map<string, number>(JOB_STATES.map((s) => [s, 0]));
      for (const row of rows) {
        const state = JOB_STATE_SET.has(row.status) ? row.status : 'other';
        counts.set(state, (counts.get(state) ?? 0) + Number(row.n));
      }
      this.reset();
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'kiln_websocket_clients', help: 'Open live (WebSocket) connections to this process', registers: [registry],
    collect() { this.set(options.liveClients()); },
  });
  return {
    registry,
    observe(request, reply) {
      // The route template only (`/api/v2/pipeline/:id`); requests that matched no route share one label.
      const route = request.routeOptions.url ?? 'unmatched';
      const method = METHODS.has(request.method) ? request.method : 'OTHER';
      const labels = { method, route, status_code: String(reply.statusCode) };
      requests.inc(labels);
      duration.observe(labels, reply.elapsedTime / 1000);
    },
  };
}

/** The route's declared access rule for a metrics access mode. */
export function metricsRouteAccess(access: MetricsAccess): Access {
  return access.mode === 'admin' ? { role: 'admin' } : 'public';
}

/** Registers the timing hook on `app` and returns the `GET /metrics` route. */
export function metricsRoutes(app: FastifyInstance, metrics: KilnMetrics, access: MetricsAccess): AnyRoute[] {
  app.addHook('onResponse', async (request, reply) => metrics.observe(request, reply));
  const expected = access.mode === 'token' ? digest(access.token) : undefined;
  return [defineRoute({
    method: 'GET', url: '/metrics', access: metricsRouteAccess(access),
    handler: async ({ request, reply, principal }) => {
      if (expected) checkMetricsToken(request, principal, expected);
      const body = await metrics.registry.metrics();
      return reply.code(200).header('content-type', metrics.registry.contentType).send(body);
    },
  })];
}

/** Token mode: the metrics token, or else an admin (so people can still look). */
function checkMetricsToken(request: FastifyRequest, principal: Principal, expected: Buffer): void {
  const token = extractToken(request.headers);
  if (token && timingSafeEqual(digest(token), expected)) return;
  if (principal.kind === 'anonymous' && token) throw errors.unauthenticated();
  authorize(principal, { role: 'admin' });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
