/**
 * @module `kiln server`: the composition root of embedded mode: server, and (unless
 * `--no-runner`) the built-in runner on the local Docker engine, which talks to the server
 * over HTTPS through the same protocol as a remote `kiln runner`.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { DockerExecutor, DEFAULT_RESOURCE_CLASSES, runnableResourceClasses, type ResourceClassPolicy } from '../executor/docker/docker-executor.js';
import { parseResourceClassTable } from '../executor/docker/resource-class-table.js';
import { RunnerAgent } from '../runner/agent.js';
import { startServer, type RunningServer } from '../server/server.js';
import { buildServerSettings, type SettingsInput } from '../server/settings.js';
import { createLogger, type Logger } from '../shared/logger.js';

export interface ServerFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  databaseUrl?: string;
  blobDir?: string;
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
  publicUrl?: string;
  runner?: boolean;
  runnerConcurrency?: string;
  logLevel?: string;
  resourceClasses?: string;
  metricsPublic?: boolean;
  auditRetentionDays?: string;
}

/** Starts the server and, unless disabled, the built-in runner. */
export async function runEmbedded(input: { settings: SettingsInput; logger: Logger; runnerConcurrency?: number; resourceClasses?: Readonly<Record<string, ResourceClassPolicy>> }): Promise<{ server: RunningServer; runner?: RunnerAgent; runnerId?: string; stop(): Promise<void> }> {
  const settings = buildServerSettings(input.settings);
  const server = await startServer({ settings, logger: input.logger });
  let runner: RunnerAgent | undefined;
  let builtinRunnerId: string | undefined;
  if (settings.builtinRunner) {
    const idKey = 'builtin_runner_id';
    const existing = await server.services.repos.kv.get(idKey);
    const classes = input.resourceClasses ?? DEFAULT_RESOURCE_CLASSES;
    const resourceClasses = runnableResourceClasses(classes);
    const { runnerId, token } = await server.services.runners.register({ name: 'built-in', orgId: null, id: existing, resourceClasses: [...resourceClasses], executors: ['docker'] });
    if (!existing) await server.services.repos.kv.set(idKey, runnerId);
    builtinRunnerId = runnerId;
    runner = new RunnerAgent({
      client: { baseUrl: server.url, token, caCert: server.tls?.cert, serverName: 'localhost' },
      name: 'built-in',
      executors: [new DockerExecutor({ runnerId, resourceClasses: classes, warn: (message) => input.logger.warn(message) })],
      resourceClasses, concurrency: input.runnerConcurrency ?? 2, logger: input.logger.child({ component: 'runner' }),
    });
    try {
      await runner.start();
    } catch (error) {
      input.logger.error({ err: error }, 'the built-in runner could not start; jobs will wait for another runner');
      runner = undefined;
    }
  }
  return {
    server, runner, runnerId: builtinRunnerId,
    stop: async () => {
      await runner?.stop();
      await server.close();
    },
  };
}

function printWelcome(server: RunningServer, settings: ReturnType<typeof buildServerSettings>, print: (line: string) => void): void {
  print('');
  print(`Kiln is running at ${settings.publicUrl}`);
  if (server.tls) print(`TLS certificate SHA-256 fingerprint: ${server.tls.fingerprint}${server.tls.generated ? ' (generated now)' : ''}`);
  if (server.tls && settings.tls.mode === 'generated') print(`  Trust it in the CLI with: export KILN_CA_CERT=${settings.tls.certFile}`);
  if (settings.tls.mode === 'off') print('WARNING: serving plain HTTP (--insecure-http). Tokens and logs cross the network unencrypted.');
  print(`Data directory: ${settings.dataDir}`);
  if (server.setupCode) print(`First start: create the admin at ${settings.publicUrl}/setup with the one-time setup code ${server.setupCode}`);
  print('Next: export KILN_URL=' + settings.publicUrl + ' KILN_TOKEN=<your token>; npx kiln project create NAME --repo GIT_URL');
  print('');
}

export function registerServerCommand(program: Command, env: { bootstrapToken?: string; bootstrapEmail?: string; bootstrapPassword?: string; dataDir?: string; databaseUrl?: string; masterKeyFile?: string; masterKey?: string }): void {
  program.command('server')
    .description('Run the Kiln server (embedded mode: SQLite, local blobs, built-in runner)')
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--port <port>', 'port to listen on', '8443')
    .option('--data-dir <dir>', 'data directory (env KILN_DATA_DIR)', env.dataDir ?? '.kiln')
    .option('--database-url <url>', 'sqlite:<path> or postgres://… (env KILN_DATABASE_URL; default: SQLite in the data dir)', env.databaseUrl)
    .option('--blob-dir <dir>', 'blob folder (default: <data-dir>/blobs)')
    .option('--tls-cert <file>', 'TLS certificate (PEM); default: a self-signed one generated in the data dir')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option('--insecure-http', 'serve plain HTTP instead of HTTPS (development only)')
    .option('--public-url <url>', 'URL people and runners use to reach this server')
    .option('--no-runner', 'do not start the built-in runner')
    .option('--runner-concurrency <n>', 'jobs the built-in runner runs at once', '2')
    .option('--log-level <level>', 'pino log level', 'info')
    .option('--resource-classes <file>', 'JSON table of resource classes for the built-in runner (memory, cpus, pids, privileged)')
    .option('--metrics-public', 'serve GET /metrics without authentication (default: admins, or the KILN_METRICS_TOKEN bearer token)')
    .option('--audit-retention-days <n>', 'purge audit events older than N days (daily and at start; default: keep everything)')
    .action(async (flags: ServerFlags) => {
      const logger = createLogger({ level: flags.logLevel });
      const input: SettingsInput = {
        host: flags.host, port: flags.port, dataDir: flags.dataDir, databaseUrl: flags.databaseUrl, blobUrl: flags.blobDir,
        tlsCert: flags.tlsCert, tlsKey: flags.tlsKey, insecureHttp: flags.insecureHttp, publicUrl: flags.publicUrl, runner: flags.runner,
        bootstrapToken: env.bootstrapToken, bootstrapEmail: env.bootstrapEmail, bootstrapPassword: env.bootstrapPassword, logLevel: flags.logLevel,
        masterKeyFile: env.masterKeyFile, masterKey: env.masterKey,
        metricsPublic: flags.metricsPublic, metricsToken: process.env.KILN_METRICS_TOKEN || undefined, auditRetentionDays: flags.auditRetentionDays,
      };
      const settings = buildServerSettings(input);
      if (settings.tls.mode === 'off') logger.warn('serving plain HTTP because --insecure-http was given');
      const resourceClasses = flags.resourceClasses ? parseResourceClassTable(readFileSync(flags.resourceClasses, 'utf8'), flags.resourceClasses) : undefined;
      const embedded = await runEmbedded({ settings: input, logger, runnerConcurrency: Number(flags.runnerConcurrency ?? 2), resourceClasses });
      printWelcome(embedded.server, settings, (line) => process.stderr.write(`${line}\n`));
      const shutdown = async () => {
        logger.info('shutting down');
        await embedded.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown());
      process.once('SIGTERM', () => void shutdown());
    });
}
