import assert from 'node:assert/strict';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { AppError } from '../shared/errors.js';
import { KeyRing, generateKeyRing } from './keyring.js';
import { secretBinding } from './secret-binding.js';

const AAD = secretBinding({ orgId: 'org-1', projectId: 'proj-1', name: 'NPM_TOKEN' });
const OTHER = secretBinding({ orgId: 'org-1', projectId: 'proj-2', name: 'NPM_TOKEN' });
const TOO_OLD = 'ciphertext or signature version is disallowed by policy (too old)';

function failsWith(fn: () => unknown, expected: { message: string | RegExp; reason?: string; code?: string }): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof AppError, `expected AppError, got ${String(error)}`);
    assert.equal(error.code, expected.code ?? 'bad_request');
    if (typeof expected.message === 'string') assert.equal(error.message, expected.message);
    else assert.match(error.message, expected.message);
    if (expected.reason) assert.equal(error.details?.reason, expected.reason);
    return true;
  });
}

describe('KeyRing encrypt/decrypt', () => {
  test('byte layout is Vault aes256-gcm96 and plain Node AES-256-GCM decrypts it', () => {
    const ring = generateKeyRing();
    const plaintext = 's3cr3t-välue';
    const ciphertext = ring.encrypt(plaintext, AAD);
    assert.match(ciphertext, /^vault:v1:[A-Za-z0-9+/]+={0,2}$/);
    const raw = Buffer.from(ciphertext.slice('vault:v1:'.length), 'base64');
    const length = Buffer.byteLength(plaintext, 'utf8');
    assert.equal(raw.length, 12 + length + 16);
    const key = ring.toState().keys.get(1) as Buffer;
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(AAD, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    const opened = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
    assert.equal(opened, plaintext);
    assert.equal(ring.decrypt(ciphertext, AAD), plaintext);
  });

  test('uses a fresh random nonce per encryption', () => {
    const ring = generateKeyRing();
    const a = ring.encrypt('same', AAD);
    const b = ring.encrypt('same', AAD);
    assert.notEqual(a, b);
    assert.notDeepEqual(Buffer.from(a.slice(9), 'base64').subarray(0, 12), Buffer.from(b.slice(9), 'base64').subarray(0, 12));
  });

  test('round-trips empty and long plaintexts', () => {
    const ring = generateKeyRing();
    assert.equal(ring.decrypt(ring.encrypt('', AAD), AAD), '');
    const long = randomBytes(5000).toString('base64');
    assert.equal(ring.decrypt(ring.encrypt(long, AAD), AAD), long);
  });

  test('a ciphertext moved to another binding fails with a clear error', () => {
    const ring = generateKeyRing();
    const ciphertext = ring.encrypt('value', AAD);
    failsWith(() => ring.decrypt(ciphertext, OTHER), { message: /authentication failed \(the value belongs to a different owner\/name/, reason: 'authentication_failed' });
  });

  test('a tampered ciphertext fails authentication', () => {
    const ring = generateKeyRing();
    const raw = Buffer.from(ring.encrypt('value', AAD).slice(9), 'base64');
    raw[14] ^= 1;
    failsWith(() => ring.decrypt(`vault:v1:${raw.toString('base64')}`, AAD), { message: /authentication failed/, reason: 'authentication_failed' });
  });

  test('associated data is required', () => {
    const ring = generateKeyRing();
    failsWith(() => ring.encrypt('value', ''), { message: /associated data is required/ });
    const ciphertext = ring.encrypt('value', AAD);
    failsWith(() => ring.decrypt(ciphertext, ''), { message: /associated data is required/ });
  });

  test("Vault's error cases on decrypt", () => {
    const ring = generateKeyRing();
    failsWith(() => ring.decrypt('plaintext', AAD), { message: 'invalid ciphertext: no prefix', reason: 'no_prefix' });
    failsWith(() => ring.decrypt('vault:v2:AAAA', AAD), { message: 'invalid ciphertext: version is too new', reason: 'version_too_new' });
    failsWith(() => ring.decrypt('vault:v1:@@@@', AAD), { message: 'invalid ciphertext: could not decode base64', reason: 'bad_base64' });
    failsWith(() => ring.decrypt('vault:v1:AAAA', AAD), { message: 'invalid ciphertext length', reason: 'bad_length' });
    const v0 = ring.encrypt('zero', AAD).replace('vault:v1:', 'vault:v0:');
    assert.equal(ring.decrypt(v0, AAD), 'zero');
  });

  test('key material does not show in JSON or inspect output', () => {
    const ring = generateKeyRing();
    const key = (ring.toState().keys.get(1) as Buffer).toString('base64');
    assert.ok(!JSON.stringify(ring).includes(key));
    assert.ok(!inspect(ring, { showHidden: true, depth: 5 }).includes(key));
  });
});

describe('KeyRing rotation and policy', () => {
  test('rotate adds v2; v1 values still decrypt; new values use v2', () => {
    const ring = generateKeyRing();
    const v1 = ring.encrypt('old', AAD);
    assert.equal(ring.rotate(), 2);
    assert.equal(ring.latestVersion, 2);
    const v2 = ring.encrypt('new', AAD);
    assert.match(v2, /^vault:v2:/);
    assert.equal(ring.decrypt(v1, AAD), 'old');
    assert.equal(ring.decrypt(v2, AAD), 'new');
    assert.notDeepEqual(ring.toState().keys.get(1), ring.toState().keys.get(2));
  });

  test('min decryption version 2 refuses v1 with the too-old error, lowering it restores access', () => {
    const ring = generateKeyRing();
    const v1 = ring.encrypt('old', AAD);
    ring.rotate();
    assert.equal(ring.setMinDecryptionVersion(2), 2);
    failsWith(() => ring.decrypt(v1, AAD), { message: TOO_OLD, reason: 'version_too_old' });
    failsWith(() => ring.rewrap(v1, AAD), { message: TOO_OLD, reason: 'version_too_old' });
    ring.setMinDecryptionVersion(1);
    assert.equal(ring.decrypt(v1, AAD), 'old');
  });

  test("setMinDecryptionVersion applies Vault's sanity rules", () => {
    const ring = generateKeyRing();
    ring.rotate();
    failsWith(() => ring.setMinDecryptionVersion(-1), { message: 'min decryption version cannot be negative' });
    failsWith(() => ring.setMinDecryptionVersion(3), { message: 'cannot set min decryption version of 3, latest key version is 2' });
    failsWith(() => ring.setMinDecryptionVersion(1.5), { message: /must be an integer/ });
    ring.setMinDecryptionVersion(2);
    assert.equal(ring.setMinDecryptionVersion(0), 1, '0 is forced to 1');
    assert.equal(ring.minDecryptionVersion, 1);
  });

  test('rewrap moves a value to the latest version without changing it; no-op at latest', () => {
    const ring = generateKeyRing();
    const v1 = ring.encrypt('payload', AAD);
    assert.equal(ring.rewrap(v1, AAD), v1, 'already latest: unchanged');
    ring.rotate();
    ring.rotate();
    const v3 = ring.rewrap(v1, AAD);
    assert.match(v3, /^vault:v3:/);
    assert.equal(ring.decrypt(v3, AAD), 'payload');
    assert.equal(ring.rewrap(v3, AAD), v3);
    ring.setMinDecryptionVersion(3);
    assert.equal(ring.decrypt(v3, AAD), 'payload');
    failsWith(() => ring.rewrap(v3, OTHER), { message: /authentication failed/, reason: 'authentication_failed' });
  });

  test('constructor refuses inconsistent state', () => {
    const key = randomBytes(32);
    assert.throws(() => new KeyRing({ latest: 2, minDecryptionVersion: 1, keys: new Map([[2, key]]) }), /key version 1 is missing/);
    assert.throws(() => new KeyRing({ latest: 1, minDecryptionVersion: 1, keys: new Map([[1, randomBytes(16)]]) }), /not 32 bytes/);
    assert.throws(() => new KeyRing({ latest: 1, minDecryptionVersion: 2, keys: new Map([[1, key]]) }), /min decryption version/);
    const trimmed = new KeyRing({ latest: 3, minDecryptionVersion: 2, keys: new Map([[2, key], [3, randomBytes(32)]]) });
    failsWith(() => trimmed.setMinDecryptionVersion(1), { message: /key version 1 is no longer available/ });
  });
});
