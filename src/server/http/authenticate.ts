/**
 * @module Resolves the caller from `Circle-Token: <token>` or `Authorization: Bearer <token>`,
 * or else from the `kiln_session` cookie (with CSRF checks for writes).
 * Tokens are looked up by SHA-256 digest (the database never holds a usable token) and the
 * digest is compared in constant time.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors.js';
import { digestsEqual, hashToken } from '../../shared/ids.js';
import { nowIso } from '../../shared/time.js';
import type { Repositories } from '../../store/index.js';
import { checkCsrf, isSafeMethod } from './csrf.js';
import { ANONYMOUS, type Principal } from './principal.js';
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, parseCookies } from './session.js';

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
  if (!user || user.org_id !== row.org_id) return ANONYMOUS;
  await repos.tokens.touch(row.id, nowIso());
  const scopes = JSON.parse(row.scopes) as string[];
  if (row.project_id) {
    // A project token acts only on its project, with at most the member role (viewer for read scope).
    const project = await repos.projects.getById(row.project_id);
    if (!project || project.org_id !== user.org_id) return ANONYMOUS;
    const role = scopes.includes('*') && user.role !== 'viewer' ? 'member' : 'viewer';
    return { kind: 'user', userId: user.id, orgId: user.org_id, role, email: user.email, tokenId: row.id, scopes: [...scopes, `${PROJECT_SCOPE_PREFIX}${project.slug}`] };
  }
  return { kind: 'user', userId: user.id, orgId: user.org_id, role: user.role, email: user.email, tokenId: row.id, scopes };
}

/** Marks a project token's principal: `project:<slug>` in its scopes. */
export const PROJECT_SCOPE_PREFIX = 'project:';

/** The result of authenticating a request: the principal and, for cookie sessions, the session. */
export interface Authentication {
  principal: Principal;
  session?: { id: string; token: string };
}

/**
 * Authenticates a request: a token header first (tokens never need CSRF), else the session cookie.
 * For a cookie session, unsafe methods must pass the CSRF check (except signing in itself, which
 * does not use the session). Then applies token scopes: `read` tokens may only read, and project
 * tokens may only call routes of their project. Throws `forbidden` on a CSRF or scope failure.
 */
export async function authenticateRequest(repos: Repositories, request: FastifyRequest): Promise<Authentication> {
  const token = extractToken(request.headers);
  if (token) {
    const principal = await principalForToken(repos, token);
    if (principal.kind === 'user') enforceScopes(principal.scopes, request);
    return { principal };
  }
  const cookies = parseCookies(request.headers.cookie);
  const sessionToken = cookies[SESSION_COOKIE];
  if (!sessionToken) return { principal: ANONYMOUS };
  const now = nowIso();
  const session = await repos.sessions.findLiveByHash(hashToken(sessionToken), now);
  if (!session || !digestsEqual(session.token_hash, hashToken(sessionToken))) return { principal: ANONYMOUS };
  const user = await repos.users.getById(session.user_id);
  if (!user || user.org_id !== session.org_id) return { principal: ANONYMOUS };
  const isLogin = request.method === 'POST' && request.routeOptions.url === '/api/v2/session';
  if (!isLogin) checkCsrf({ method: request.method, sessionToken, header: request.headers[CSRF_HEADER], cookie: cookies[CSRF_COOKIE] });
  await repos.sessions.touch(session.id, now);
  return {
    principal: { kind: 'user', userId: user.id, orgId: user.org_id, role: user.role, email: user.email, tokenId: null, scopes: ['*'] },
    session: { id: session.id, token: sessionToken },
  };
}

function enforceScopes(scopes: readonly string[], request: FastifyRequest): void {
  if (!scopes.includes('*') && !isSafeMethod(request.method)) {
    throw new AppError('forbidden', 'This token has read-only scope');
  }
  const projectScope = scopes.find((s) => s.startsWith(PROJECT_SCOPE_PREFIX));
  if (projectScope) {
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    const route = request.routeOptions.url ?? '';
    const slug = params.vcs && params.org && params.name ? `${params.vcs}/${params.org}/${params.name}` : undefined;
    if (!route.startsWith('/api/v2/project/:vcs/:org/:name') || slug !== projectScope.slice(PROJECT_SCOPE_PREFIX.length)) {
      throw new AppError('forbidden', 'This project token may only be used for its own project');
    }
  }
}
