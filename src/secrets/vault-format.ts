/**
 * @module Vault transit `aes256-gcm96` ciphertext strings: `vault:v<N>:` + base64(nonce ‖ ct ‖ tag).
 *
 * Parsing follows Vault's `Policy.Decrypt` order and messages so operators can look errors up in
 * Vault's documentation. Policy checks (too new / too old) live in the key ring, which knows the versions.
 */
import { AppError } from '../shared/errors.js';

/** GCM nonce length in bytes (Go's `cipher.NewGCM` standard nonce, what Vault calls "96"). */
export const NONCE_LENGTH = 12;
/** GCM authentication tag length in bytes, appended after the ciphertext. */
export const TAG_LENGTH = 16;

const PREFIX = 'vault:v';
const DELIMITER = ':';
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A parsed ciphertext: the key version and the raw `nonce ‖ ct ‖ tag` bytes, split. */
export interface VaultCiphertext {
  readonly version: number;
  readonly nonce: Buffer;
  readonly sealed: Buffer;
  readonly tag: Buffer;
}

/** Why a ciphertext was refused; carried in `AppError.details.reason` so callers can branch without parsing text. */
export type CiphertextFailure =
  | 'no_prefix'
  | 'wrong_number_of_fields'
  | 'bad_version'
  | 'version_too_new'
  | 'version_too_old'
  | 'bad_base64'
  | 'bad_length'
  | 'authentication_failed';

/** Builds the `bad_request` AppError used for every undecryptable value; the message never contains key material. */
export function ciphertextError(reason: CiphertextFailure, message: string): AppError {
  return new AppError('bad_request', message, { reason });
}

/**
 * Formats a ciphertext string. `version` must be ≥ 1; the byte layout is exactly Vault's:
 * `vault:v<version>:` + standard base64 (with padding) of `nonce[12] ‖ ciphertext ‖ tag[16]`.
 */
export function formatCiphertext(parts: { version: number; nonce: Buffer; sealed: Buffer; tag: Buffer }): string {
  if (parts.nonce.length !== NONCE_LENGTH || parts.tag.length !== TAG_LENGTH) {
    throw new AppError('internal', 'formatCiphertext: nonce must be 12 bytes and tag 16 bytes');
  }
  const payload = Buffer.concat([parts.nonce, parts.sealed, parts.tag]);
  return `${PREFIX}${parts.version}${DELIMITER}${payload.toString('base64')}`;
}

/**
 * Returns the key version of a ciphertext string without decoding its payload
 * (version 0 reads as 1, as in Vault). Throws `bad_request` with Vault's message for a malformed prefix.
 * Useful to find values that still need a rewrap.
 */
export function ciphertextVersion(ciphertext: string): number {
  return splitPrefix(ciphertext).version;
}

/**
 * Parses a ciphertext string into its parts. Throws `bad_request` AppErrors with Vault's messages:
 * "invalid ciphertext: no prefix", "… wrong number of fields", "… version number could not be decoded",
 * "… could not decode base64", "invalid ciphertext length". Does not check versions against a key ring.
 */
export function parseCiphertext(ciphertext: string): VaultCiphertext {
  const { version, body } = splitPrefix(ciphertext);
  return { version, ...decodePayload(body) };
}

/** Splits `vault:v<N>:<body>`; exported for the key ring, which checks versions before decoding (Vault's order). */
export function splitPrefix(ciphertext: string): { version: number; body: string } {
  if (!ciphertext.startsWith(PREFIX)) {
    throw ciphertextError('no_prefix', 'invalid ciphertext: no prefix');
  }
  const rest = ciphertext.slice(PREFIX.length);
  const at = rest.indexOf(DELIMITER);
  if (at < 0) {
    throw ciphertextError('wrong_number_of_fields', 'invalid ciphertext: wrong number of fields');
  }
  const digits = rest.slice(0, at);
  if (!/^[0-9]{1,15}$/.test(digits)) {
    throw ciphertextError('bad_version', 'invalid ciphertext: version number could not be decoded');
  }
  const parsed = Number(digits);
  return { version: parsed === 0 ? 1 : parsed, body: rest.slice(at + 1) };
}

/** Decodes the base64 body strictly (Node's decoder silently skips junk) and splits nonce, sealed bytes and tag. */
export function decodePayload(body: string): { nonce: Buffer; sealed: Buffer; tag: Buffer } {
  const raw = decodeBase64Strict(body);
  if (!raw) {
    throw ciphertextError('bad_base64', 'invalid ciphertext: could not decode base64');
  }
  if (raw.length < NONCE_LENGTH + TAG_LENGTH) {
    throw ciphertextError('bad_length', 'invalid ciphertext length');
  }
  return {
    nonce: raw.subarray(0, NONCE_LENGTH),
    sealed: raw.subarray(NONCE_LENGTH, raw.length - TAG_LENGTH),
    tag: raw.subarray(raw.length - TAG_LENGTH),
  };
}

/**
 * Decodes canonical standard base64 (with padding), or returns undefined. Node's own decoder silently
 * skips invalid characters, which would let a corrupted value through.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!STRICT_BASE64.test(text)) return undefined;
  const raw = Buffer.from(text, 'base64');
  return raw.toString('base64') === text ? raw : undefined;
}
