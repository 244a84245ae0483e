/**
 * @module The blob store interface: logs, artifacts, caches and workspaces live here, not in
 * the database. Keys are `/`-separated relative paths of safe characters.
 *
 * Contract: `put` is atomic (a reader sees the old object, the new one, or none: never a torn
 * write) and overwrites; `get` of a missing key resolves undefined; `list` returns keys under a
 * prefix in lexical order. Implementations: fs/ (embedded) and s3/ (scale-out).
 */
import type { Readable } from 'node:stream';
import { AppError } from '../shared/errors.js';

export interface BlobInfo {
  key: string;
  size: number;
  modifiedAt: string;
}

export interface BlobStore {
  put(key: string, body: Buffer | string): Promise<void>;
  putStream(key: string, body: Readable): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  getStream(key: string): Promise<Readable | undefined>;
  list(prefix: string): Promise<BlobInfo[]>;
  delete(key: string): Promise<void>;
}

const SAFE_KEY = /^[A-Za-z0-9._=-]+(\/[A-Za-z0-9._=-]+)*$/;

/** Throws unless `key` is a safe relative key (no `..`, no absolute paths). */
export function assertSafeKey(key: string): void {
  if (!SAFE_KEY.test(key) || key.split('/').some((part) => part === '.' || part === '..')) {
    throw new AppError('bad_request', `Invalid blob key "${key}"`);
  }
}
