/**
 * @module CSRF protection for cookie-authenticated writes: a request that is authenticated by the
 * session cookie and is not GET/HEAD/OPTIONS must carry `X-CSRF-Token` equal to the `kiln_csrf`
 * cookie and to the token derived from the session (signed double submit). Token-authenticated
 * requests carry no ambient credentials and need no CSRF token.
 */
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../../shared/errors.js';
import { csrfTokenFor } from './session.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** Throws `forbidden` unless the header and cookie both equal the session's CSRF token. */
export function checkCsrf(input: { method: string; sessionToken: string; header: string | string[] | undefined; cookie: string | undefined }): void {
  if (isSafeMethod(input.method)) return;
  const expected = Buffer.from(csrfTokenFor(input.sessionToken));
  const header = typeof input.header === 'string' ? Buffer.from(input.header) : Buffer.alloc(0);
  const cookie = Buffer.from(input.cookie ?? '');
  const same = (value: Buffer) => value.length === expected.length && timingSafeEqual(value, expected);
  if (!same(header) || !same(cookie)) {
    throw new AppError('forbidden', 'Missing or invalid CSRF token: send the kiln_csrf cookie value in the X-CSRF-Token header');
  }
}
