import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { AppError } from '../shared/errors.js';
import { generateKeyRing } from './keyring.js';
import { KEYRING_FORMAT, keyRingFromDocument, keyRingFromEnv, keyRingToDocument } from './keyring-document.js';

const AAD = 'org:o|project:p|name:N';

function refusesToStart(fn: () => unknown, message: RegExp, secretText?: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'internal');
    assert.match(error.message, message);
    if (secretText) assert.ok(!error.message.includes(secretText), 'error must not echo key material');
    return true;
  });
}

describe('key ring document', () => {
  test('round-trips a rotated ring with the documented shape', () => {
    const ring = generateKeyRing();
    const old = ring.encrypt('v', AAD);
    ring.rotate();
    ring.setMinDecryptionVersion(1);
    const doc = keyRingToDocument(ring);
    assert.equal(doc.format, KEYRING_FORMAT);
    assert.equal(doc.format, 'kiln-keyring/v1');
    assert.equal(doc.latest, 2);
    assert.equal(doc.minDecryptionVersion, 1);
    assert.deepEqual(Object.keys(doc.keys), ['1', '2']);
    assert.equal(Buffer.from(doc.keys['1'], 'base64').length, 32);
    const loaded = keyRingFromDocument(JSON.parse(JSON.stringify(doc)), 'test');
    assert.equal(loaded.decrypt(old, AAD), 'v');
    assert.match(loaded.encrypt('x', AAD), /^vault:v2:/);
  });

  test('refuses malformed documents with clear messages', () => {
    const key = randomBytes(32).toString('base64');
    const good = { format: KEYRING_FORMAT, latest: 1, minDecryptionVersion: 1, keys: { '1': key } };
    refusesToStart(() => keyRingFromDocument([], 'f'), /from f: not a JSON object/);
    refusesToStart(() => keyRingFromDocument({ ...good, format: 'other' }, 'f'), /"format" must be "kiln-keyring\/v1"/);
    refusesToStart(() => keyRingFromDocument({ ...good, latest: '1' }, 'f'), /"latest" must be an integer/);
    refusesToStart(() => keyRingFromDocument({ ...good, latest: 2 }, 'f'), /key version 2 is missing/);
    refusesToStart(() => keyRingFromDocument({ ...good, keys: { '1': key.slice(0, 20) } }, 'f'), /key version 1 is not standard base64 of 32 bytes/, key.slice(0, 20));
    refusesToStart(() => keyRingFromDocument({ ...good, keys: { x1: key } }, 'f'), /key version "x1" is not a positive integer/);
    refusesToStart(() => keyRingFromDocument({ ...good, minDecryptionVersion: 2 }, 'f'), /min decryption version must be between 1/);
  });
});

describe('keyRingFromEnv', () => {
  test('accepts a bare base64 32-byte key as version 1', () => {
    const key = randomBytes(32);
    const ring = keyRingFromEnv(`${key.toString('base64')}\n`, 'KILN_SECRETS_KEY');
    assert.equal(ring.latestVersion, 1);
    assert.deepEqual(ring.toState().keys.get(1), key);
  });

  test('accepts the JSON document', () => {
    const ring = generateKeyRing();
    ring.rotate();
    const value = JSON.stringify(keyRingToDocument(ring));
    const loaded = keyRingFromEnv(value, 'KILN_SECRETS_KEY');
    assert.equal(loaded.latestVersion, 2);
    assert.equal(loaded.decrypt(ring.encrypt('x', AAD), AAD), 'x');
  });

  test('refuses to start on a missing or bad key, without echoing it', () => {
    refusesToStart(() => keyRingFromEnv(undefined, 'KILN_SECRETS_KEY'), /KILN_SECRETS_KEY: it is empty or unset/);
    refusesToStart(() => keyRingFromEnv('   ', 'KILN_SECRETS_KEY'), /empty or unset/);
    const short = randomBytes(16).toString('base64');
    refusesToStart(() => keyRingFromEnv(short, 'KILN_SECRETS_KEY'), /expected the key ring JSON or standard base64 of a 32-byte key/, short);
    const urlSafe = randomBytes(32).toString('base64url');
    refusesToStart(() => keyRingFromEnv(urlSafe, 'KILN_SECRETS_KEY'), /standard base64/, urlSafe);
    const broken = `{"format":"kiln-keyring/v1","keys":{"1":"${randomBytes(32).toString('base64')}"`;
    refusesToStart(() => keyRingFromEnv(broken, 'KILN_SECRETS_KEY'), /KILN_SECRETS_KEY: not valid JSON/, broken.slice(30, 60));
  });
});
