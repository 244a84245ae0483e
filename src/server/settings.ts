/**
 * @module Server settings: one typed, frozen object built once at startup from CLI flags and
 * environment (parsed in src/bin). Nothing else reads process.env.
 */
import { join, resolve } from 'node:path';
import { AppError } from '../shared/errors.js';
import type { MetricsAccess } from './metrics.js';

export interface ServerSettings {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** `sqlite:<path>` or `postgres://…` */
  readonly databaseUrl: string;
  /** Blob folder (or `s3://…` when configured). */
  readonly blobUrl: string;
  readonly tls: { readonly mode: 'generated' | 'files' | 'off'; readonly certFile: string; readonly keyFile: string };
  /** Public URL people and runners use to reach this server. */
  readonly publicUrl: string;
  readonly builtinRunner: boolean;
  readonly bootstrap: { readonly token?: string; readonly email: string; readonly password?: string };
  readonly logLevel: string;
  readonly leaseSeconds: number;
  readonly heartbeatSeconds: number;
  /** Where the secrets key ring comes from: a file path (default `<dataDir>/master.key`, created on first start) or the ring itself. */
  readonly masterKey: { readonly file?: string; readonly value?: string };
  /** Who may scrape `GET /metrics`: admins (default), anyone (`--metrics-public`), or the holder of KILN_METRICS_TOKEN. */
  readonly metrics: MetricsAccess;
  /** Audit events older than this many days are purged (daily and at start); undefined keeps everything. */
  readonly auditRetentionDays?: number;
}

export interface SettingsInput {
  host?: string;
  port?: string | number;
  dataDir?: string;
  databaseUrl?: string;
  blobUrl?: string;
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
  publicUrl?: string;
  runner?: boolean;
  bootstrapToken?: string;
  bootstrapEmail?: string;
  bootstrapPassword?: string;
  logLevel?: string;
  /** KILN_MASTER_KEY_FILE: an existing key ring file. */
  masterKeyFile?: string;
  /** KILN_MASTER_KEY: the key ring JSON or a base64 32-byte key. */
  masterKey?: string;
  /** --metrics-public: serve /metrics without authentication. */
  metricsPublic?: boolean;
  /** KILN_METRICS_TOKEN: a bearer token that may scrape /metrics. */
  metricsToken?: string;
  /** --audit-retention-days N. */
  auditRetentionDays?: string | number;
}

/** Validates every input at once and fails listing each invalid one. */
export function buildServerSettings(input: SettingsInput): ServerSettings {
  const problems: string[] = [];
  const port = Number(input.port ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`port must be 0-65535, got "${input.port}"`);
  const dataDir = resolve(input.dataDir ?? '.kiln');
  if ((input.tlsCert && !input.tlsKey) || (!input.tlsCert && input.tlsKey)) problems.push('--tls-cert and --tls-key must be given together');
  if (input.insecureHttp && input.tlsCert) problems.push('--insecure-http cannot be combined with --tls-cert/--tls-key');
  if (input.bootstrapToken !== undefined && input.bootstrapToken.length < 1) problems.push('KILN_BOOTSTRAP_TOKEN must not be empty');
  if (input.masterKey !== undefined && input.masterKeyFile) problems.push('KILN_MASTER_KEY and KILN_MASTER_KEY_FILE cannot both be set');
  if (input.metricsPublic && input.metricsToken) problems.push('--metrics-public and KILN_METRICS_TOKEN cannot both be set');
  if (input.metricsToken !== undefined && input.metricsToken.length < 16) problems.push('KILN_METRICS_TOKEN must be at least 16 characters');
  const retention = input.auditRetentionDays === undefined || input.auditRetentionDays === '' ? undefined : Number(input.auditRetentionDays);
  if (retention !== undefined && !(Number.isInteger(retention) && retention >= 1 && retention <= 36_500)) {
    problems.push(`--audit-retention-days must be a whole number of days from 1 to 36500, got "${input.auditRetentionDays}"`);
  }
  if (problems.length) throw new AppError('bad_request', `Invalid server settings:\n  - ${problems.join('\n  - ')}`);

  const host = input.host ?? '0.0.0.0';
  const tlsMode = input.insecureHttp ? 'off' : input.tlsCert ? 'files' : 'generated';
  const scheme = tlsMode === 'off' ? 'http' : 'https';
  const publicHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return Object.freeze({
    host,
    port,
    dataDir,
    databaseUrl: input.databaseUrl ?? `sqlite:${join(dataDir, 'kiln.db')}`,
    blobUrl: input.blobUrl ?? join(dataDir, 'blobs'),
    tls: Object.freeze({
      mode: tlsMode,
      certFile: input.tlsCert ?? join(dataDir, 'tls', 'server.crt'),
      keyFile: input.tlsKey ?? join(dataDir, 'tls', 'server.key'),
    }),
    publicUrl: (input.publicUrl ?? `${scheme}://${publicHost}:${port}`).replace(/\/$/, ''),
    builtinRunner: input.runner ?? true,
    bootstrap: Object.freeze({ token: input.bootstrapToken, email: (input.bootstrapEmail ?? 'admin@localhost').toLowerCase(), password: input.bootstrapPassword }),
    logLevel: input.logLevel ?? 'info',
    leaseSeconds: 30,
    heartbeatSeconds: 5,
    masterKey: Object.freeze({ file: input.masterKeyFile ? resolve(input.masterKeyFile) : undefined, value: input.masterKey }),
    metrics: Object.freeze(input.metricsToken ? { mode: 'token' as const, token: input.metricsToken } : { mode: input.metricsPublic ? 'public' as const : 'admin' as const }),
    auditRetentionDays: retention,
  } satisfies ServerSettings);
}
