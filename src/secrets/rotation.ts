/**
 * @module Online key rotation: add a key version, then rewrap every stored secret to it while the
 * server keeps running. Each value is swapped only if it did not change meanwhile (a concurrent
 * write is already at the latest version). Optionally retires old versions afterwards; that is
 * refused while any value still needs an older key.
 */
import { AppError } from '../shared/errors.js';
import type { Repositories } from '../store/index.js';
import { ciphertextVersion } from './vault-format.js';
import { contextVarOwner, projectVarOwner, sshKeyOwner } from './owners.js';
import type { SecretKeys } from './secret-keys.js';

export interface RotationResult {
  keyVersion: number;
  rewrapped: number;
  minDecryptionVersion: number;
}

const PAGE = 200;

/** Rotates (unless `rotate: false`), rewraps everything, then applies `minDecryptionVersion` if given. */
export async function rotateSecrets(deps: { repos: Repositories; keys: SecretKeys }, options: { rotate?: boolean; minDecryptionVersion?: number } = {}): Promise<RotationResult> {
  const { repos, keys } = deps;
  const keyVersion = options.rotate === false ? keys.latestVersion : await keys.rotate();
  const rewrapped = await rewrapAll(deps);
  let minDecryptionVersion = keys.minDecryptionVersion;
  if (options.minDecryptionVersion !== undefined) {
    const oldest = await oldestVersionInUse(repos);
    if (oldest !== undefined && oldest < options.minDecryptionVersion) {
      throw new AppError('conflict', `Cannot retire key versions below ${options.minDecryptionVersion}: a stored value still uses version ${oldest}`);
    }
    minDecryptionVersion = await keys.setMinDecryptionVersion(options.minDecryptionVersion);
  }
  return { keyVersion, rewrapped, minDecryptionVersion };
}

/** Rewraps every value below the latest version; returns how many changed. */
export async function rewrapAll(deps: { repos: Repositories; keys: SecretKeys }): Promise<number> {
  const { repos, keys } = deps;
  const latest = keys.latestVersion;
  let count = 0;
  let afterVar: { projectId: string; name: string } | undefined;
  for (;;) {
    const rows = await repos.envVars.page(afterVar, PAGE);
    for (const row of rows) {
      if (ciphertextVersion(row.ciphertext) >= latest) continue;
      const next = keys.rewrap(row.ciphertext, projectVarOwner(row));
      if (await repos.envVars.swapCiphertext({ projectId: row.project_id, name: row.name, expected: row.ciphertext, next })) count++;
    }
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1]!;
    afterVar = { projectId: last.project_id, name: last.name };
  }
  let afterCtx: { contextId: string; name: string } | undefined;
  for (;;) {
    const rows = await repos.contexts.pageVars(afterCtx, PAGE);
    for (const row of rows) {
      if (ciphertextVersion(row.ciphertext) >= latest) continue;
      const next = keys.rewrap(row.ciphertext, contextVarOwner(row));
      if (await repos.contexts.swapVarCiphertext({ contextId: row.context_id, name: row.name, expected: row.ciphertext, next })) count++;
    }
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1]!;
    afterCtx = { contextId: last.context_id, name: last.name };
  }
  let afterKey: string | undefined;
  for (;;) {
    const rows = await repos.checkoutKeys.page(afterKey, PAGE);
    for (const row of rows) {
      if (ciphertextVersion(row.private_key_ciphertext) >= latest) continue;
      const next = keys.rewrap(row.private_key_ciphertext, sshKeyOwner(row));
      if (await repos.checkoutKeys.swapCiphertext({ id: row.id, expected: row.private_key_ciphertext, next })) count++;
    }
    if (rows.length < PAGE) break;
    afterKey = rows[rows.length - 1]!.id;
  }
  return count;
}

/** The oldest key version any stored value uses, or undefined when nothing is stored. */
export async function oldestVersionInUse(repos: Repositories): Promise<number | undefined> {
  let oldest: number | undefined;
  const see = (ciphertext: string) => {
    const version = ciphertextVersion(ciphertext);
    oldest = oldest === undefined ? version : Math.min(oldest, version);
  };
  let afterVar: { projectId: string; name: string } | undefined;
  for (;;) {
    const rows = await repos.envVars.page(afterVar, PAGE);
    rows.forEach((r) => see(r.ciphertext));
    if (rows.length < PAGE) break;
    afterVar = { projectId: rows[rows.length - 1]!.project_id, name: rows[rows.length - 1]!.name };
  }
  let afterCtx: { contextId: string; name: string } | undefined;
  for (;;) {
    const rows = await repos.contexts.pageVars(afterCtx, PAGE);
    rows.forEach((r) => see(r.ciphertext));
    if (rows.length < PAGE) break;
    afterCtx = { contextId: rows[rows.length - 1]!.context_id, name: rows[rows.length - 1]!.name };
  }
  let afterKey: string | undefined;
  for (;;) {
    const rows = await repos.checkoutKeys.page(afterKey, PAGE);
    rows.forEach((r) => see(r.private_key_ciphertext));
    if (rows.length < PAGE) break;
    afterKey = rows[rows.length - 1]!.id;
  }
  return oldest;
}

/** Whether any encrypted value is stored (startup: a missing key file is then fatal). */
export async function hasEncryptedData(repos: Repositories): Promise<boolean> {
  return (await repos.envVars.page(undefined, 1)).length > 0
    || (await repos.contexts.pageVars(undefined, 1)).length > 0
    || (await repos.checkoutKeys.page(undefined, 1)).length > 0;
}
