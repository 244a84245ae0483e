/**
 * @module Session cookies: `kiln_session` (HttpOnly, SameSite=Strict, Secure over TLS) carries a
 * random token the database knows only as a SHA-256 digest; `kiln_csrf` (readable by the page) carries
 * the CSRF token for the double-submit check, derived from the session token so no replica needs to
 * store it.
 */
import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'kiln_session';
export const CSRF_COOKIE = 'kiln_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** Sessions last 12 hours from sign-in. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Parses a Cookie header into name → value (first occurrence wins; values are not decoded beyond %XX). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    if (name in out) continue;
    let value = part.slice(at + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

/** The CSRF token that belongs to a session token (HMAC, so it reveals nothing about the session). */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('kiln-csrf-v1').digest('base64url');
}

function cookie(name: string, value: string, options: { httpOnly: boolean; secure: boolean; maxAgeSeconds: number }): string {
  return [
    `${name}=${value}`, 'Path=/', `Max-Age=${options.maxAgeSeconds}`, 'SameSite=Strict',
    ...(options.httpOnly ? ['HttpOnly'] : []), ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** Whether cookies for this request must be `Secure` (served over TLS). */
export function isSecureRequest(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

export function setSessionCookies(reply: FastifyReply, input: { token: string; secure: boolean }): void {
  const maxAgeSeconds = Math.floor(SESSION_TTL_MS / 1000);
  reply.header('set-cookie', [
    cookie(SESSION_COOKIE, input.token, { httpOnly: true, secure: input.secure, maxAgeSeconds }),
    cookie(CSRF_COOKIE, csrfTokenFor(input.token), { httpOnly: false, secure: input.secure, maxAgeSeconds }),
  ]);
}

export function clearSessionCookies(reply: FastifyReply, secure: boolean): void {
  reply.header('set-cookie', [
    cookie(SESSION_COOKIE, '', { httpOnly: true, secure, maxAgeSeconds: 0 }),
    cookie(CSRF_COOKIE, '', { httpOnly: false, secure, maxAgeSeconds: 0 }),
  ]);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The cookie session that authenticated this request, if any. */
    sessionId: string | null;
  }
}
