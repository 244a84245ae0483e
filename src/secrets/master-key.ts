/**
 * @module Where the master key ring comes from at startup, in order: the `KILN_MASTER_KEY` value,
 * the `KILN_MASTER_KEY_FILE` path, or `<dataDir>/master.key` (created 0600 on first start).
 *
 * Any problem is an `internal` error and the server refuses to start: there is no plaintext fallback.
 * The default file is created only when no encrypted value exists yet, so a lost key file is never
 * silently replaced by a new key that cannot read the stored secrets.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../shared/errors.js';
import { createKeyRingFile, loadKeyRingFile } from './keyring-file.js';
import { keyRingFromEnv } from './keyring-document.js';
import { SecretKeys } from './secret-keys.js';

export const MASTER_KEY_FILE_NAME = 'master.key';

export interface MasterKeyOptions {
  dataDir: string;
  /** An explicit key file path (must exist). */
  file?: string;
  /** The key ring document or a base64 key, from an environment variable. */
  value?: string;
  /** Whether the database already holds encrypted values (then a missing default key file is fatal). */
  hasEncryptedData(): Promise<boolean>;
}

/** Loads (or on first start creates) the key ring; throws `internal` when it cannot. */
export async function loadMasterKey(options: MasterKeyOptions): Promise<{ keys: SecretKeys; created: boolean }> {
  if (options.value !== undefined) {
    if (options.file) throw new AppError('internal', 'Give KILN_MASTER_KEY or KILN_MASTER_KEY_FILE, not both');
    return { keys: new SecretKeys({ ring: keyRingFromEnv(options.value, 'KILN_MASTER_KEY'), source: 'KILN_MASTER_KEY' }), created: false };
  }
  if (options.file) {
    return { keys: new SecretKeys({ ring: await loadKeyRingFile(options.file), file: options.file, source: options.file }), created: false };
  }
  const file = join(options.dataDir, MASTER_KEY_FILE_NAME);
  if (existsSync(file)) {
    return { keys: new SecretKeys({ ring: await loadKeyRingFile(file), file, source: file }), created: false };
  }
  if (await options.hasEncryptedData()) {
    throw new AppError('internal', `Secrets key file ${file} is missing but the database holds encrypted values; restore the key file (or set KILN_MASTER_KEY_FILE) — refusing to start`);
  }
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const ring = await createKeyRingFile(file);
  return { keys: new SecretKeys({ ring, file, source: file }), created: true };
}
