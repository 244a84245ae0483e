/**
 * @module A ring of versioned AES-256-GCM keys producing Vault transit `aes256-gcm96` ciphertexts.
 *
 * Semantics follow Vault's transit engine: encryption always uses the latest version, `rotate()` adds
 * version N+1, old versions keep decrypting until `setMinDecryptionVersion()` retires them, and
 * `rewrap()` moves a value to the latest version without handing out the plaintext.
 * Unlike Vault, associated data is mandatory: see `secretBinding()`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../shared/errors.js';
import { NONCE_LENGTH, TAG_LENGTH, ciphertextError, decodePayload, formatCiphertext, splitPrefix } from './vault-format.js';

/** AES-256 key length in bytes. */
export const KEY_LENGTH = 32;
const ALGORITHM = 'aes-256-gcm';

/** The key ring's state as plain data; `keys` maps version → 32-byte key. */
export interface KeyRingState {
  readonly latest: number;
  readonly minDecryptionVersion: number;
  readonly keys: ReadonlyMap<number, Buffer>;
}

/**
 * Versioned keys plus the decryption policy. Key bytes live in a private field, so logging or
 * `JSON.stringify` of a ring shows no key material; only `toState()` exposes them (for the key file).
 * Not safe for concurrent mutation across processes: callers serialize `rotate()` and persistence.
 */
export class KeyRing {
  readonly #keys = new Map<number, Buffer>();
  #latest: number;
  #minDecryptionVersion: number;

  /** Validates and copies `state`; throws `internal` if a key is missing or not 32 bytes, or versions are inconsistent. */
  constructor(state: KeyRingState) {
    const { latest, minDecryptionVersion, keys } = state;
    if (!Number.isSafeInteger(latest) || latest < 1) {
      throw new AppError('internal', 'Key ring: latest version must be an integer ≥ 1');
    }
    if (!Number.isSafeInteger(minDecryptionVersion) || minDecryptionVersion < 1 || minDecryptionVersion > latest) {
      throw new AppError('internal', `Key ring: min decryption version must be between 1 and the latest version (${latest})`);
    }
    for (const [version, key] of keys) {
      if (!Number.isSafeInteger(version) || version < 1 || version > latest) {
        throw new AppError('internal', `Key ring: key version ${version} is outside 1..${latest}`);
      }
      if (key.length !== KEY_LENGTH) {
        throw new AppError('internal', `Key ring: key version ${version} is not ${KEY_LENGTH} bytes`);
      }
      this.#keys.set(version, Buffer.from(key));
    }
    for (let version = minDecryptionVersion; version <= latest; version++) {
      if (!this.#keys.has(version)) {
        throw new AppError('internal', `Key ring: key version ${version} is missing`);
      }
    }
    this.#latest = latest;
    this.#minDecryptionVersion = minDecryptionVersion;
  }

  /** The version new ciphertexts are written with. */
  get latestVersion(): number {
    return this.#latest;
  }

  /** Ciphertexts below this version are refused ("too old"). */
  get minDecryptionVersion(): number {
    return this.#minDecryptionVersion;
  }

  /**
   * Encrypts UTF-8 `plaintext` with the latest key and a fresh random 12-byte nonce, authenticating
   * `aad` (required, non-empty; use `secretBinding()`). Returns `vault:v<latest>:<base64>`.
   */
  encrypt(plaintext: string, aad: string): string {
    requireAad(aad);
    const nonce = randomBytes(NONCE_LENGTH);
    const cipher = createCipheriv(ALGORITHM, this.#key(this.#latest), nonce, { authTagLength: TAG_LENGTH });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return formatCiphertext({ version: this.#latest, nonce, sealed, tag: cipher.getAuthTag() });
  }

  /**
   * Decrypts a ciphertext produced for the same `aad`. Throws `bad_request` with `details.reason`:
   * Vault's format errors, "invalid ciphertext: version is too new" (`version_too_new`),
   * "ciphertext or signature version is disallowed by policy (too old)" (`version_too_old`), and
   * `authentication_failed` when the value belongs to another binding or was altered.
   */
  decrypt(ciphertext: string, aad: string): string {
    requireAad(aad);
    const { version, body } = splitPrefix(ciphertext);
    if (version > this.#latest) {
      throw ciphertextError('version_too_new', 'invalid ciphertext: version is too new');
    }
    if (version < this.#minDecryptionVersion) {
      throw ciphertextError('version_too_old', 'ciphertext or signature version is disallowed by policy (too old)');
    }
    const { nonce, sealed, tag } = decodePayload(body);
    const decipher = createDecipheriv(ALGORITHM, this.#key(version), nonce, { authTagLength: TAG_LENGTH });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
    } catch {
      throw ciphertextError(
        'authentication_failed',
        'could not decrypt secret: authentication failed (the value belongs to a different owner/name, or was altered)',
      );
    }
  }

  /** Adds version latest+1 with a new random 32-byte key and returns the new version. Old versions keep decrypting. */
  rotate(): number {
    const version = this.#latest + 1;
    this.#keys.set(version, randomBytes(KEY_LENGTH));
    this.#latest = version;
    return version;
  }

  /**
   * Re-encrypts a ciphertext with the latest key under the same `aad`, never returning plaintext.
   * A value already at the latest version is verified (it must decrypt) and returned unchanged.
   * Errors are those of `decrypt()`.
   */
  rewrap(ciphertext: string, aad: string): string {
    const plaintext = this.decrypt(ciphertext, aad);
    if (splitPrefix(ciphertext).version === this.#latest) {
      return ciphertext;
    }
    return this.encrypt(plaintext, aad);
  }

  /**
   * Sets the oldest version allowed to decrypt, with Vault's rules: negative → `bad_request`
   * "min decryption version cannot be negative"; 0 is forced to 1; above latest → `bad_request`
   * "cannot set min decryption version of N, latest key version is M". Keys below the minimum are kept
   * (as Vault archives them), so lowering it again restores access. Returns the effective minimum.
   */
  setMinDecryptionVersion(version: number): number {
    if (!Number.isSafeInteger(version)) {
      throw new AppError('bad_request', 'min decryption version must be an integer');
    }
    if (version < 0) {
      throw new AppError('bad_request', 'min decryption version cannot be negative');
    }
    const effective = version === 0 ? 1 : version;
    if (effective > this.#latest) {
      throw new AppError('bad_request', `cannot set min decryption version of ${effective}, latest key version is ${this.#latest}`);
    }
    for (let v = effective; v < this.#minDecryptionVersion; v++) {
      if (!this.#keys.has(v)) {
        throw new AppError('bad_request', `cannot set min decryption version of ${effective}: key version ${v} is no longer available`);
      }
    }
    this.#minDecryptionVersion = effective;
    return effective;
  }

  /** A copy of the full state including key bytes, for persisting the master key file only. */
  toState(): KeyRingState {
    const keys = new Map<number, Buffer>();
    for (const [version, key] of this.#keys) keys.set(version, Buffer.from(key));
    return { latest: this.#latest, minDecryptionVersion: this.#minDecryptionVersion, keys };
  }

  #key(version: number): Buffer {
    const key = this.#keys.get(version);
    if (!key) {
      throw ciphertextError('version_too_old', 'ciphertext or signature version is disallowed by policy (too old)');
    }
    return key;
  }
}

/** A new ring with one random key as version 1 (min decryption version 1). */
export function generateKeyRing(): KeyRing {
  return new KeyRing({ latest: 1, minDecryptionVersion: 1, keys: new Map([[1, randomBytes(KEY_LENGTH)]]) });
}

function requireAad(aad: string): void {
  if (typeof aad !== 'string' || aad.length === 0) {
    throw new AppError('bad_request', 'associated data is required to bind a secret to its owner (use secretBinding())');
  }
}
