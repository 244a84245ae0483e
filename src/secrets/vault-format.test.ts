import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../shared/errors.js';
import { NONCE_LENGTH, TAG_LENGTH, ciphertextVersion, decodeBase64Strict, formatCiphertext, parseCiphertext } from './vault-format.js';

function rejects(fn: () => unknown, message: string, reason: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'bad_request');
    assert.equal(error.message, message);
    assert.equal(error.details?.reason, reason);
    return true;
  });
}

describe('vault transit ciphertext format', () => {
  test('the published Vault example decodes to nonce[12] ‖ ct[4] ‖ tag[16]', () => {
    // vault:v1:… for the 4-byte plaintext "124\n" (see SECURITY-NOTES.md).
    const parsed = parseCiphertext('vault:v1:XzHaRwI0bJjbthAeVHNQ/ClIvvtzh9a6XHxB2wW31nM=');
    assert.equal(parsed.version, 1);
    assert.equal(parsed.nonce.length, 12);
    assert.equal(parsed.sealed.length, 4);
    assert.equal(parsed.tag.length, 16);
    assert.equal(Buffer.from(parsed.nonce).toString('base64'), 'XzHaRwI0bJjbthAe');
  });

  test('formatCiphertext writes prefix + padded standard base64 of nonce ‖ ct ‖ tag', () => {
    const nonce = Buffer.alloc(NONCE_LENGTH, 1);
    const sealed = Buffer.from([0xfb, 0xff, 0x01]);
    const tag = Buffer.alloc(TAG_LENGTH, 2);
    const text = formatCiphertext({ version: 7, nonce, sealed, tag });
    assert.equal(text, `vault:v7:${Buffer.concat([nonce, sealed, tag]).toString('base64')}`);
    assert.match(text, /==$/); // 31 bytes → padding kept
    assert.ok(text.includes('+') || text.includes('/'), 'standard alphabet, not base64url');
    const back = parseCiphertext(text);
    assert.equal(back.version, 7);
    assert.deepEqual([...back.sealed], [0xfb, 0xff, 0x01]);
  });

  test('version 0 reads as version 1, as in Vault', () => {
    assert.equal(ciphertextVersion('vault:v0:AAAA'), 1);
    assert.equal(ciphertextVersion('vault:v12:AAAA'), 12);
  });

  test("malformed values fail with Vault's messages", () => {
    rejects(() => parseCiphertext('abc'), 'invalid ciphertext: no prefix', 'no_prefix');
    rejects(() => parseCiphertext('vault:1:AAAA'), 'invalid ciphertext: no prefix', 'no_prefix');
    rejects(() => parseCiphertext('vault:v1'), 'invalid ciphertext: wrong number of fields', 'wrong_number_of_fields');
    rejects(() => parseCiphertext('vault:vx:AAAA'), 'invalid ciphertext: version number could not be decoded', 'bad_version');
    rejects(() => parseCiphertext('vault:v-1:AAAA'), 'invalid ciphertext: version number could not be decoded', 'bad_version');
    rejects(() => parseCiphertext('vault:v1:not base64!'), 'invalid ciphertext: could not decode base64', 'bad_base64');
    rejects(() => parseCiphertext('vault:v1:QUJD'.slice(0, -1)), 'invalid ciphertext: could not decode base64', 'bad_base64');
    rejects(() => parseCiphertext(`vault:v1:${Buffer.alloc(27).toString('base64')}`), 'invalid ciphertext length', 'bad_length');
  });

  test('strict base64 refuses what Node would silently accept', () => {
    assert.equal(decodeBase64Strict('QUJD')?.toString(), 'ABC');
    assert.equal(decodeBase64Strict('QU JD'), undefined);
    assert.equal(decodeBase64Strict('QUJ'), undefined);
    assert.equal(decodeBase64Strict('QR=='), undefined); // non-canonical trailing bits
    assert.equal(decodeBase64Strict('QUJD_-=='), undefined);
  });
});
