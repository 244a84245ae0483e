import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAuditSigner, verifyAuditSignature } from './signer.js';

describe('audit signing key', () => {
  it('creates a 0600 key file once, reloads the same key, and refuses a readable one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-audit-key-'));
    try {
      const path = join(dir, 'keys', 'audit-signing.pem');
      const created = loadAuditSigner({ keyPath: path });
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(readFileSync(`${path}.pub`, 'utf8'), created.publicKeyPem);
      const reloaded = loadAuditSigner({ keyPath: path });
      assert.equal(reloaded.keyId, created.keyId);
      const signature = reloaded.sign('checkpoint');
      assert.equal(verifyAuditSignature({ publicKeyPem: created.publicKeyPem, text: 'checkpoint', signature }), true);
      assert.equal(verifyAuditSignature({ publicKeyPem: created.publicKeyPem, text: 'checkpoinT', signature }), false);
      chmodSync(path, 0o644);
      assert.throws(() => loadAuditSigner({ keyPath: path }), /chmod 600/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('encrypts the key file with a passphrase when given one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-audit-key-'));
    try {
      const path = join(dir, 'audit.pem');
      const created = loadAuditSigner({ keyPath: path, passphrase: 'correct horse' });
      assert.match(readFileSync(path, 'utf8'), /ENCRYPTED PRIVATE KEY/);
      assert.equal(loadAuditSigner({ keyPath: path, passphrase: 'correct horse' }).keyId, created.keyId);
      assert.throws(() => loadAuditSigner({ keyPath: path, passphrase: 'wrong' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
