/**
 * @module Builds the Fastify application: authentication hook, error mapping, every route
 * (each declaring its access rule), and the WebSocket hub. No listening here (see server.ts).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { Logger } from '../shared/logger.js';
import { authenticateRequest } from './http/authenticate.js';
import { ANONYMOUS, type Access } from './http/principal.js';
import { installErrorHandling } from './http/error-handler.js';
import { authorize, registerRoutes, type AnyRoute } from './http/route.js';
import { registerLiveHub } from './live/live-hub.js';
import { auditRoutes } from './routes/audit.route.js';
import { auditDestinationRoutes } from './routes/audit-destination.route.js';
import { createMetrics, metricsRoutes, type MetricsAccess } from './metrics.js';
import type { SecretKeys } from '../secrets/index.js';
import { runnersRoutes } from './routes/runners.route.js';
import { registerWebApp } from './web/web-app.js';
import { authRoutes } from './routes/auth.route.js';
import { checkoutKeyRoutes } from './routes/checkout-key.route.js';
import { contextRoutes } from './routes/context.route.js';
import { continuationRoutes } from './routes/continuation.route.js';
import { orbRoutes } from './routes/orb.route.js';
import { scheduleRoutes } from './routes/schedule.route.js';
import { envVarRoutes } from './routes/envvar.route.js';
import { pipelineRoutes } from './routes/pipeline.route.js';
import { projectRoutes } from './routes/project.route.js';
import { runnerRoutes } from './routes/runner.route.js';
import { secretsRoutes } from './routes/secrets.route.js';
import { systemRoutes } from './routes/system.route.js';
import { tokenRoutes } from './routes/token.route.js';
import { userRoutes } from './routes/user.route.js';
import type { ServerServices } from './services/index.js';

export interface AppOptions {
  services: ServerServices;
  logger: Logger;
  https?: { cert: string; key: string };
  /** Extra routes contributed by other modules (secrets, audit, ...). */
  extraRoutes?: readonly AnyRoute[];
  /** The secrets key ring (audit destination secrets are stored encrypted with it). */
  keys?: SecretKeys;
  /** Who may scrape `GET /metrics` (default: organisation admins). */
  metrics?: MetricsAccess;
}

export interface KilnApp {
  app: FastifyInstance;
  liveClients(): number;
  /** Every registered route with its declared access rule (collected by the onRoute hook; permission tests). */
  routeTable(): ReadonlyArray<{ method: string; url: string; access: Access }>;
}

export async function buildApp(options: AppOptions): Promise<KilnApp> {
  const { services } = options;
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: 8 * 1024 * 1024,
    // Shutdown must not wait for idle keep-alive sockets or open live connections.
    forceCloseConnections: true,
    ...(options.https ? { https: options.https } : {}),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  } as never) as unknown as FastifyInstance;

  installErrorHandling(app);
  app.decorateRequest('principal', null as never);
  app.decorateRequest('sessionId', null as never);
  app.addHook('onRequest', async (request) => {
    request.principal = ANONYMOUS;
    const auth = await authenticateRequest(services.repos, request);
    request.principal = auth.principal;
    request.sessionId = auth.session?.id ?? null;
    // Enforce the route's access rule before body validation, so an unauthorised caller gets 401/403,
    // never a validation error that describes the schema (the handler checks again).
    const access = (request.routeOptions.config as { access?: Access } | undefined)?.access;
    if (access) authorize(request.principal, access);
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cache-Control', 'no-store');
  });
  const routeTable: Array<{ method: string; url: string; access: Access }> = [];
  app.addHook('onRoute', (route) => {
    if (!route.config || !(route.config as { access?: unknown }).access) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no access rule`);
    }
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url, access: (route.config as { access: Access }).access });
  });

  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const hub = registerLiveHub(app, { bus: services.bus, repos: services.repos, logs: services.logs, jobLogs: services.jobLogs });
  const metrics = createMetrics({ db: services.repos.store.db, liveClients: hub.clientCount });
  registerRoutes(app, [
    ...systemRoutes(services),
    ...projectRoutes(services),
    ...pipelineRoutes(services),
    ...runnerRoutes(services),
    ...auditRoutes(services),
    ...auditDestinationRoutes(services, { keys: options.keys }),
    ...metricsRoutes(app, metrics, options.metrics ?? { mode: 'admin' }),
    ...runnersRoutes(services),
    ...authRoutes(services),
    ...tokenRoutes(services),
    ...userRoutes(services),
    ...envVarRoutes(services),
    ...contextRoutes(services),
    ...checkoutKeyRoutes(services),
    ...orbRoutes(services),
    ...continuationRoutes(services),
    ...scheduleRoutes(services),
    ...secretsRoutes(services),
    ...(options.extraRoutes ?? []),
  ]);
  registerWebApp(app); // GET / and GET /*: the web app; API routes are more specific and win
  return { app, liveClients: hub.clientCount, routeTable: () => routeTable };
}
