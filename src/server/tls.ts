/**
 * @module TLS material: the operator's certificate, or a self-signed one generated on first
 * start (kept in the data directory, key mode 0600) whose SHA-256 fingerprint is printed.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import selfsigned from 'selfsigned';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 fingerprint, colon-separated hex (as `openssl x509 -fingerprint -sha256` prints it). */
  fingerprint: string;
  generated: boolean;
}

export async function loadOrCreateTls(options: { certFile: string; keyFile: string; generate: boolean }): Promise<TlsMaterial> {
  let generated = false;
  if (options.generate && !existsSync(options.certFile)) {
    mkdirSync(dirname(options.certFile), { recursive: true, mode: 0o700 });
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'kiln' }], {
      keyType: 'ec',
      curve: 'P-256',
      notAfterDate: new Date(Date.now() + 825 * 24 * 3600 * 1000),
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [
          { type: 2, value: 'localhost' }, { type: 2, value: hostname() },
          { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' },
        ] },
      ],
    });
    writeFileSync(options.keyFile, pems.private, { mode: 0o600 });
    chmodSync(options.keyFile, 0o600);
    writeFileSync(options.certFile, pems.cert);
    generated = true;
  }
  const cert = readFileSync(options.certFile, 'utf8');
  const key = readFileSync(options.keyFile, 'utf8');
  return { cert, key, fingerprint: new X509Certificate(cert).fingerprint256, generated };
}
