/** @module ed25519 SSH key pairs in OpenSSH formats, and their SHA-256 fingerprints (as `ssh-keygen -l`). */
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import { AppError } from '../shared/errors.js';

export interface SshKeyPair {
  /** `ssh-ed25519 AAAA… comment` */
  publicKey: string;
  /** `-----BEGIN OPENSSH PRIVATE KEY-----…` */
  privateKey: string;
  /** `SHA256:<base64 without padding>` */
  fingerprint: string;
}

/** A new ed25519 key pair. */
export function generateSshKeyPair(comment: string): SshKeyPair {
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
  const publicKey = pair.public.trim();
  return { publicKey, privateKey: pair.private, fingerprint: sshFingerprint(publicKey) };
}

/** The SHA-256 fingerprint of an OpenSSH public key line. */
export function sshFingerprint(publicKey: string): string {
  const blob = publicKey.trim().split(/\s+/)[1];
  if (!blob) throw new AppError('bad_request', 'Not an OpenSSH public key');
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}
