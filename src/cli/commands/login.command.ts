/**
 * @module `kiln login --email E --password-stdin [--print-token]`: exchanges a password for a personal
 * API token. The token is printed (--print-token) or written to `~/.config/kiln/token` (mode 0600).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import type { KilnClient } from '../../client/index.js';
import { CliError, clientFrom, type CliEnvironment, type Output } from '../cli-context.js';

/** Reads all of stdin (secrets never come from argv, where `ps` and shell history would see them). */
export async function readStdin(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** A client for commands that work without a token (login). */
function anonymousClient(env: CliEnvironment, output: Output): KilnClient {
  return clientFrom({ ...env, token: env.token ?? 'none' }, output);
}

export function registerLoginCommand(program: Command, env: () => CliEnvironment & { tokenFile?: string }, output: Output): void {
  program.command('login')
    .description('Sign in and obtain a personal API token')
    .requiredOption('--email <email>', 'account email')
    .requiredOption('--password-stdin', 'read the password from stdin')
    .option('--print-token', 'print the token instead of saving it')
    .option('--token-name <name>', 'name of the token', 'kiln cli')
    .action(async (options: { email: string; printToken?: boolean; tokenName: string }) => {
      const settings = env();
      const password = await readStdin();
      if (!password) throw new CliError('No password on stdin');
      const client = anonymousClient({ ...settings, token: undefined }, output);
      try {
        const query = new URLSearchParams({ token: 'true', token_name: options.tokenName });
        const result = await client.http.call<{ login: string; token: string }>('POST', `/api/v2/session?${query}`, { body: { email: options.email, password } });
        if (options.printToken) {
          output.out(result.token);
          return;
        }
        if (!settings.tokenFile) throw new CliError('No token file location; use --print-token');
        mkdirSync(dirname(settings.tokenFile), { recursive: true, mode: 0o700 });
        writeFileSync(settings.tokenFile, `${result.token}\n`, { mode: 0o600 });
        chmodSync(settings.tokenFile, 0o600);
        output.err(`Signed in as ${result.login}; token saved to ${settings.tokenFile} (mode 0600). KILN_TOKEN, when set, takes precedence.`);
      } finally {
        await client.close();
      }
    });
}
