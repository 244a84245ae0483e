/** @module Identifiers and tokens. */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** A random UUID v4, the id of every stored entity. */
export function newId(): string {
  return randomUUID();
}

/** A random opaque secret token (URL-safe base64, 256 bits) with a readable prefix. */
export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 of a token: tokens have 256 bits of entropy, so a fast hash is the right tool for storage. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests of the same length. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
