/**
 * @module The master key document: the JSON form of a {@link KeyRing}, and parsing it from an env value.
 *
 * `{"format":"kiln-keyring/v1","latest":2,"minDecryptionVersion":1,"keys":{"1":"<base64>","2":"<base64>"}}`
 * Every failure is an `internal` AppError whose message names the problem but never echoes key material,
 * so the server can print it and refuse to start. There is no fallback to plaintext storage.
 */
import { AppError } from '../shared/errors.js';
import { KEY_LENGTH, KeyRing } from './keyring.js';
import { decodeBase64Strict } from './vault-format.js';

/** The `format` tag of version 1 of the document. */
export const KEYRING_FORMAT = 'kiln-keyring/v1';

/** The JSON shape of a master key document. */
export interface KeyRingDocument {
  format: typeof KEYRING_FORMAT;
  latest: number;
  minDecryptionVersion: number;
  keys: Record<string, string>;
}

/** Serializes a ring, key bytes included; write the result only to a 0600 file. */
export function keyRingToDocument(ring: KeyRing): KeyRingDocument {
  const state = ring.toState();
  const keys: Record<string, string> = {};
  for (const version of [...state.keys.keys()].sort((a, b) => a - b)) {
    keys[String(version)] = (state.keys.get(version) as Buffer).toString('base64');
  }
  return { format: KEYRING_FORMAT, latest: state.latest, minDecryptionVersion: state.minDecryptionVersion, keys };
}

/**
 * Parses a master key document (already JSON-decoded). `source` names where it came from in error
 * messages (a path or an env variable name). Throws `internal` on any structural problem.
 */
export function keyRingFromDocument(value: unknown, source: string): KeyRing {
  const fail = (problem: string) => new AppError('internal', `Cannot load the secrets key ring from ${source}: ${problem}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('not a JSON object');
  const doc = value as Record<string, unknown>;
  if (doc.format !== KEYRING_FORMAT) throw fail(`"format" must be "${KEYRING_FORMAT}"`);
  if (!Number.isSafeInteger(doc.latest)) throw fail('"latest" must be an integer');
  if (!Number.isSafeInteger(doc.minDecryptionVersion)) throw fail('"minDecryptionVersion" must be an integer');
  if (typeof doc.keys !== 'object' || doc.keys === null || Array.isArray(doc.keys)) throw fail('"keys" must be an object');
  const keys = new Map<number, Buffer>();
  for (const [name, encoded] of Object.entries(doc.keys as Record<string, unknown>)) {
    if (!/^[1-9][0-9]{0,14}$/.test(name)) throw fail(`key version "${name.slice(0, 20)}" is not a positive integer`);
    const key = decodeKey(encoded);
    if (!key) throw fail(`key version ${name} is not standard base64 of ${KEY_LENGTH} bytes`);
    keys.set(Number(name), key);
  }
  try {
    return new KeyRing({ latest: doc.latest as number, minDecryptionVersion: doc.minDecryptionVersion as number, keys });
  } catch (error) {
    throw fail(error instanceof Error ? error.message.replace(/^Key ring: /, '') : 'invalid key ring');
  }
}

/**
 * Parses a key ring given in an environment variable's value: either the JSON document or a bare
 * standard-base64 32-byte key (loaded as version 1). `variable` names the variable in error messages.
 * An empty or malformed value throws `internal`; the caller reads the environment.
 */
export function keyRingFromEnv(value: string | undefined, variable = 'the secrets key environment variable'): KeyRing {
  const text = (value ?? '').trim();
  if (text === '') {
    throw new AppError('internal', `Cannot load the secrets key ring from ${variable}: it is empty or unset`);
  }
  if (text.startsWith('{')) {
    return keyRingFromDocument(parseJson(text, variable), variable);
  }
  const key = decodeKey(text);
  if (!key) {
    throw new AppError(
      'internal',
      `Cannot load the secrets key ring from ${variable}: expected the key ring JSON or standard base64 of a ${KEY_LENGTH}-byte key`,
    );
  }
  return new KeyRing({ latest: 1, minDecryptionVersion: 1, keys: new Map([[1, key]]) });
}

/** JSON.parse, with an error that does not quote the input (Node's message includes a snippet of it). */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('internal', `Cannot load the secrets key ring from ${source}: not valid JSON`);
  }
}

function decodeKey(encoded: unknown): Buffer | undefined {
  const key = typeof encoded === 'string' ? decodeBase64Strict(encoded) : undefined;
  return key?.length === KEY_LENGTH ? key : undefined;
}
