/**
 * @module The server's live key ring: encrypts and decrypts secrets bound to their owner, and keeps
 * every replica in step with the master key file.
 *
 * Rotation writes the new ring to the key file before any value is rewrapped, so a replica that meets
 * a ciphertext "too new" for its ring reloads the file once and retries. A ring given through an
 * environment variable cannot be rotated online (there is no file to share); the error says so.
 */
import { AppError, isAppError } from '../shared/errors.js';
import type { KeyRing } from './keyring.js';
import { loadKeyRingFile, saveKeyRingFile } from './keyring-file.js';
import { secretBinding, type SecretOwner } from './secret-binding.js';

export interface SecretKeysOptions {
  ring: KeyRing;
  /** The key file the ring came from; absent when it came from an environment variable. */
  file?: string;
  /** Where the ring came from, for messages (a path or a variable name). */
  source: string;
}

/** Encrypts/decrypts secrets with the current ring. Serialises rotations within the process. */
export class SecretKeys {
  #ring: KeyRing;
  readonly #file: string | undefined;
  readonly source: string;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(options: SecretKeysOptions) {
    this.#ring = options.ring;
    this.#file = options.file;
    this.source = options.source;
  }

  get latestVersion(): number {
    return this.#ring.latestVersion;
  }

  get minDecryptionVersion(): number {
    return this.#ring.minDecryptionVersion;
  }

  /** Whether the ring can be rotated online (it lives in a file). */
  get rotatable(): boolean {
    return this.#file !== undefined;
  }

  encrypt(plaintext: string, owner: SecretOwner): string {
    return this.#ring.encrypt(plaintext, secretBinding(owner));
  }

  /**
   * Decrypts a value of `owner`. A ciphertext newer than this ring makes it reload the key file once
   * (another replica rotated). Errors are the key ring's `bad_request` errors with `details.reason`;
   * a retired version reads "ciphertext or signature version is disallowed by policy (too old)".
   */
  async decrypt(ciphertext: string, owner: SecretOwner): Promise<string> {
    const aad = secretBinding(owner);
    try {
      return this.#ring.decrypt(ciphertext, aad);
    } catch (error) {
      if (!(isAppError(error) && error.details?.reason === 'version_too_new' && this.#file)) throw error;
      await this.reload();
      return this.#ring.decrypt(ciphertext, aad);
    }
  }

  /** Re-encrypts with the latest key without exposing the plaintext to the caller. */
  rewrap(ciphertext: string, owner: SecretOwner): string {
    return this.#ring.rewrap(ciphertext, secretBinding(owner));
  }

  /** Re-reads the key file (no-op for an environment-provided ring). */
  async reload(): Promise<void> {
    if (!this.#file) return;
    this.#ring = await loadKeyRingFile(this.#file);
  }

  /**
   * Adds a key version and persists the ring before returning, so replicas can decrypt values
   * rewrapped with it. Returns the new latest version.
   */
  rotate(): Promise<number> {
    return this.#serialize(async () => {
      const file = this.#requireFile('rotate');
      const ring = await loadKeyRingFile(file);
      const version = ring.rotate();
      await saveKeyRingFile(file, ring);
      this.#ring = ring;
      return version;
    });
  }

  /** Sets and persists the minimum decryption version (Vault's rules; see KeyRing). */
  setMinDecryptionVersion(version: number): Promise<number> {
    return this.#serialize(async () => {
      const file = this.#requireFile('change the minimum decryption version of');
      const ring = await loadKeyRingFile(file);
      const effective = ring.setMinDecryptionVersion(version);
      await saveKeyRingFile(file, ring);
      this.#ring = ring;
      return effective;
    });
  }

  #requireFile(what: string): string {
    if (!this.#file) {
      throw new AppError('bad_request', `Cannot ${what} the key ring online: it was given in ${this.source}. Use a key file (KILN_MASTER_KEY_FILE) to rotate.`);
    }
    return this.#file;
  }

  #serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#lock.catch(() => undefined).then(work);
    this.#lock = next;
    return next;
  }
}
