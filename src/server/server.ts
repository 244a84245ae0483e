/**
 * @module Starts a Kiln server: opens the store and blob store, runs first-start bootstrap,
 * builds the app, listens (HTTPS unless told otherwise), and runs the lease reaper.
 */
import { join } from 'node:path';
import { openBlobStore } from '../blobs/index.js';
import type { OrbSource } from '../config/index.js';
import { hasEncryptedData, loadMasterKey } from '../secrets/index.js';
import type { Logger } from '../shared/logger.js';
import { createRepositories, openStore } from '../store/index.js';
import { loadAuditSigner, startCheckpointer } from '../audit/index.js';
import { buildApp } from './app.js';
import { startAuditBackground } from './audit-background.js';
import { startScheduler } from './scheduler.js';
import type { AnyRoute } from './http/route.js';
import { MemoryEventBus } from './live/event-bus.js';
import { CheckoutKeyGitMirrors } from './services/checkout-key.service.js';
import { createServices, type ServerServices } from './services/index.js';
import type { SecretEnvironmentSource } from './services/job-environment.js';
import type { ServerSettings } from './settings.js';
import { loadOrCreateTls, type TlsMaterial } from './tls.js';

export interface RunningServer {
  /** Base URL this process listens on (loopback form, for the built-in runner and tests). */
  url: string;
  tls?: TlsMaterial;
  services: ServerServices;
  setupCode?: string;
  close(): Promise<void>;
}

export interface StartServerOptions {
  settings: ServerSettings;
  logger: Logger;
  secrets?: SecretEnvironmentSource;
  orbs?: OrbSource;
  extraRoutes?: readonly AnyRoute[];
  /** Scheduler timing (defaults: due schedules every 15 s, legacy config triggers re-read every 5 min). */
  scheduler?: { tickMs?: number; syncMs?: number };
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { settings, logger } = options;
  const store = await openStore(settings.databaseUrl);
  const repos = createRepositories(store);
  // The secrets key ring: refuse to start (never fall back to plaintext) when it cannot be loaded.
  let keys;
  try {
    ({ keys } = await loadMasterKey({ dataDir: settings.dataDir, file: settings.masterKey.file, value: settings.masterKey.value, hasEncryptedData: () => hasEncryptedData(repos) }));
  } catch (error) {
    await store.close();
    throw error;
  }
  const bus = new MemoryEventBus();
  const git = new CheckoutKeyGitMirrors(join(settings.dataDir, 'git'));
  git.useSecrets({ repos, keys });
  const services = createServices({
    repos, bus, logger, blobs: openBlobStore(settings.blobUrl), git,
    publicUrl: settings.publicUrl, leaseSeconds: settings.leaseSeconds, heartbeatSeconds: settings.heartbeatSeconds,
    secrets: options.secrets, orbs: options.orbs, keys,
  });
  const bootstrap = await services.bootstrap.bootstrap(settings.bootstrap);
  const tls = settings.tls.mode === 'off' ? undefined : await loadOrCreateTls({ ...settings.tls, generate: settings.tls.mode === 'generated' });
  const { app } = await buildApp({
    services, logger, https: tls ? { cert: tls.cert, key: tls.key } : undefined, extraRoutes: options.extraRoutes, keys, metrics: settings.metrics,
  });
  await app.listen({ host: settings.host, port: settings.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const signer = loadAuditSigner({ keyPath: join(settings.dataDir, 'keys', 'audit-signing.pem') });
  const checkpointer = startCheckpointer({ db: store.db, signer, intervalMs: 15 * 60_000, logger });
  // SIEM delivery (destination secrets decrypted with the key ring) and, if configured, retention.
  const auditBackground = startAuditBackground({ db: store.db, keys, signer, retentionDays: settings.auditRetentionDays, logger });
  // Scheduled pipelines and legacy `triggers: schedule` (safe with several replicas).
  const scheduler = startScheduler({ schedules: services.schedules, logger, ...options.scheduler });
  const reaper = setInterval(() => {
    services.runners.reapExpiredLeases().catch((error) => logger.error({ err: error }, 'lease reaper failed'));
  }, 5000);
  reaper.unref();
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    tls,
    services,
    setupCode: bootstrap.setupCode,
    close: async () => {
      await scheduler.stop();
      await auditBackground.stop();
      await checkpointer.stop();
      clearInterval(reaper);
      await app.close();
      await bus.close();
      await store.close();
    },
  };
}
