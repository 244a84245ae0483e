/**
 * @module `kiln secrets rotate [--min-decryption-version N]` and `kiln secrets status`: online key
 * rotation through the running server (admins), which adds a key version to the key file, rewraps
 * every stored value, and optionally retires older versions.
 */
import type { Command } from 'commander';
import { CliError, clientFrom, type CliEnvironment, type Output } from '../cli-context.js';

export function registerSecretsCommands(program: Command, env: () => CliEnvironment, output: Output): void {
  const secrets = program.command('secrets').description('Secrets key ring administration (admins)');
  secrets.command('rotate')
    .description('Add a key version and rewrap every stored secret online')
    .option('--min-decryption-version <n>', 'afterwards, refuse ciphertexts below this version')
    .option('--no-rotate', 'only rewrap / retire, without adding a key version')
    .action(async (options: { minDecryptionVersion?: string; rotate: boolean }) => {
      const min = options.minDecryptionVersion === undefined ? undefined : Number(options.minDecryptionVersion);
      if (min !== undefined && (!Number.isInteger(min) || min < 0)) throw new CliError('--min-decryption-version must be a non-negative integer');
      const client = clientFrom(env(), output);
      try {
        const result = await client.http.call<{ key_version: number; rewrapped: number; min_decryption_version: number }>('POST', '/api/v2/secrets/rotate', {
          body: { rotate: options.rotate, ...(min !== undefined ? { min_decryption_version: min } : {}) },
        });
        output.out(`key version ${result.key_version}; rewrapped ${result.rewrapped} value(s); min decryption version ${result.min_decryption_version}`);
      } finally {
        await client.close();
      }
    });
  secrets.command('status').action(async () => {
    const client = clientFrom(env(), output);
    try {
      const status = await client.http.call<{ latest_version: number; min_decryption_version: number; rotatable: boolean }>('GET', '/api/v2/secrets/keyring');
      output.out(`latest ${status.latest_version}; min decryption ${status.min_decryption_version}; rotatable ${status.rotatable}`);
    } finally {
      await client.close();
    }
  });
}
