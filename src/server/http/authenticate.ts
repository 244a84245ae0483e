/**
 * @module Resolves the caller from `Circle-Token: <token>` or `Authorization: Bearer <token>`.
 * Tokens are looked up by SHA-256 digest (the database never holds a usable token) and the
 * digest is compared in constant time.
 */
import { digestsEqual, hashToken } from '../../shared/ids.js';
import { nowIso } from '../../shared/time.js';
import type { Repositories } from '../../store/index.js';
import { ANONYMOUS, type Principal } from './principal.js';

export interface Credentials {
  circleToken?: string;
  authorization?: string;
}

export function extractToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const circle = headers['circle-token'];
  if (typeof circle === 'string' && circle) return circle.trim();
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (match) return match[1]!.trim();
  }
  return undefined;
}

/** Resolves a bearer token to a user or runner principal; unknown or revoked tokens are anonymous. */
export async function principalForToken(repos: Repositories, token: string | undefined): Promise<Principal> {
  if (!token) return ANONYMOUS;
  const digest = hashToken(token);
  if (token.startsWith('kiln_runner_')) {
    const runner = await repos.runners.getByTokenHash(digest);
    if (!runner || !digestsEqual(runner.token_hash, digest)) return ANONYMOUS;
    return { kind: 'runner', runnerId: runner.id, orgId: runner.org_id };
  }
  const row = await repos.tokens.findActiveByHash(digest);
  if (!row || !digestsEqual(row.token_hash, digest) || !row.user_id) return ANONYMOUS;
  const user = await repos.users.getById(row.user_id);
  if (!user) return ANONYMOUS;
  await repos.tokens.touch(row.id, nowIso());
  return { kind: 'user', userId: user.id, orgId: user.org_id, role: user.role, email: user.email, tokenId: row.id, scopes: JSON.parse(row.scopes) as string[] };
}
