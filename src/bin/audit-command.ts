/**
 * @module `kiln audit verify` (works directly on the database) and `kiln audit export`
 * (through the API, so access rules apply and the export is itself audited).
 */
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { verifyAuditLog } from '../audit/index.js';
import { CliError, clientFrom, type CliEnvironment, type Output } from '../cli/cli-context.js';
import { openStore } from '../store/index.js';

export function auditKeyPaths(dataDir: string): { privateKey: string; publicKey: string } {
  const privateKey = join(dataDir, 'keys', 'audit-signing.pem');
  return { privateKey, publicKey: `${privateKey}.pub` };
}

export function registerAuditCommands(program: Command, input: { env: () => CliEnvironment; output: Output; dataDir?: string }): void {
  const { output } = input;
  const audit = program.command('audit').description('Verify and export the audit log');
  audit.command('verify')
    .description('Check the audit log hash chain and signed checkpoints; exits non-zero at the first broken point')
    .option('--data-dir <dir>', 'data directory of an embedded server', input.dataDir ?? '.kiln')
    .option('--database <url>', 'database URL (sqlite:<path> or postgres://…) instead of the data dir')
    .option('--public-key <file>', 'checkpoint public key (default: <data-dir>/keys/audit-signing.pem.pub)')
    .action(async (flags: { dataDir: string; database?: string; publicKey?: string }) => {
      const dataDir = resolve(flags.dataDir);
      const url = flags.database ?? `sqlite:${join(dataDir, 'kiln.db')}`;
      if (!flags.database && !existsSync(join(dataDir, 'kiln.db'))) throw new CliError(`No Kiln database in ${dataDir}`);
      const keyFile = flags.publicKey ?? auditKeyPaths(dataDir).publicKey;
      const store = await openStore(url);
      try {
        const result = await verifyAuditLog({ db: store.db, publicKeyPem: existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : undefined });
        for (const warning of result.warnings) output.err(`warning: ${warning}`);
        if (!result.ok) throw new CliError(`audit log broken (${result.kind}) at seq ${result.seq}: ${result.message}`);
        output.out(`audit log ok: ${result.eventsChecked} events, ${result.checkpointsChecked} checkpoints`);
      } finally {
        await store.close();
      }
    });
  audit.command('export')
    .description('Download the audit log (organisation admins)')
    .requiredOption('--format <format>', 'csv or jsonl')
    .option('--since <time>', 'ISO-8601 start')
    .option('--until <time>', 'ISO-8601 end')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (flags: { format: string; since?: string; until?: string; output?: string }) => {
      if (flags.format !== 'csv' && flags.format !== 'jsonl') throw new CliError('--format must be csv or jsonl');
      const client = clientFrom(input.env(), output);
      try {
        const query = new URLSearchParams({ format: flags.format, ...(flags.since ? { since: flags.since } : {}), ...(flags.until ? { until: flags.until } : {}) });
        const body = await client.http.stream(`/api/v2/audit-log?${query}`);
        await pipeline(Readable.from(body), flags.output ? createWriteStream(flags.output) : process.stdout);
      } finally {
        await client.close();
      }
    });
}
