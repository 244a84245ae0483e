/**
 * @module The Ed25519 key that signs audit checkpoints. The private key lives only in a PEM file
 * (mode 0600, optionally passphrase-encrypted) or in memory; the database holds the public half.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../shared/errors.js';

/** Signs checkpoint texts. */
export interface AuditSigner {
  /** `sha256:` + hex SHA-256 of the DER public key. */
  readonly keyId: string;
  readonly publicKeyPem: string;
  /** Base64 Ed25519 signature of `text` (UTF-8). */
  sign(text: string): string;
}

export interface AuditSignerOptions {
  /** PEM file holding the private key; created (0600, parent 0700) when missing. Ignored when `privateKeyPem` is set. */
  keyPath?: string;
  /** The private key itself (PKCS#8 PEM), e.g. from an operator's secret store. */
  privateKeyPem?: string;
  /** Encrypts a newly written key file (AES-256-CBC PKCS#8) and decrypts an existing one. */
  passphrase?: string;
}

/**
 * Loads the checkpoint signing key, creating and persisting one on first use. Refuses a key file
 * that group or others can read or write, since anyone who can read it can forge checkpoints.
 * Also writes `<keyPath>.pub` so an operator can keep the public key offline for `verify`.
 */
export function loadAuditSigner(options: AuditSignerOptions): AuditSigner {
  if (options.privateKeyPem) return signerFromKey(createPrivateKey({ key: options.privateKeyPem, passphrase: options.passphrase }));
  const path = options.keyPath;
  if (!path) throw new AppError('internal', 'The audit signing key needs keyPath or privateKeyPem');
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) throw new AppError('internal', `Audit signing key ${path} has mode ${mode.toString(8)}; run chmod 600 on it`);
    return signerFromKey(createPrivateKey({ key: readFileSync(path, 'utf8'), passphrase: options.passphrase }));
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export(options.passphrase
    ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: options.passphrase }
    : { type: 'pkcs8', format: 'pem' }) as string;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // 'wx': two replicas starting at once must not overwrite each other's key.
  writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  const signer = signerFromKey(privateKey);
  writeFileSync(`${path}.pub`, signer.publicKeyPem, { mode: 0o644 });
  return signer;
}

function signerFromKey(privateKey: KeyObject): AuditSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new AppError('internal', 'The audit signing key must be Ed25519');
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  return {
    keyId: auditKeyId(publicKeyPem),
    publicKeyPem,
    sign: (text) => sign(null, Buffer.from(text, 'utf8'), privateKey).toString('base64'),
  };
}

/** The key id of a public key PEM. */
export function auditKeyId(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}

/** Whether `signature` (base64) is a valid Ed25519 signature of `text` under `publicKeyPem`. */
export function verifyAuditSignature(options: { publicKeyPem: string; text: string; signature: string }): boolean {
  try {
    return verify(null, Buffer.from(options.text, 'utf8'), createPublicKey(options.publicKeyPem), Buffer.from(options.signature, 'base64'));
  } catch {
    return false;
  }
}
