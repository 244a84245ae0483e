/** @module Sign-in (`POST /api/v2/session`), sign-out and "who am I" with the CSRF token. */
import type { FastifyRequest } from 'fastify';
import { asUser, defineRoute } from '../http/route.js';
import { SESSION_COOKIE, clearSessionCookies, isSecureRequest, parseCookies, setSessionCookies } from '../http/session.js';
import type { ServerServices } from '../services/index.js';
import type { RequestInfo } from '../services/auth.service.js';

/** The request facts services record in audit events. */
export function infoOf(request: FastifyRequest): RequestInfo {
  return { requestId: String(request.id), ip: request.ip };
}

export function authRoutes(services: ServerServices) {
  return [
    defineRoute<object, { token?: boolean; token_name?: string }, { email: string; password: string }>({
      method: 'POST', url: '/api/v2/session', access: 'public',
      schema: {
        body: { type: 'object', required: ['email', 'password'], additionalProperties: false, properties: {
          email: { type: 'string', minLength: 3, maxLength: 320 }, password: { type: 'string', minLength: 1, maxLength: 1000 },
        } },
        querystring: { type: 'object', additionalProperties: false, properties: { token: { type: 'boolean' }, token_name: { type: 'string', maxLength: 100 } } },
      },
      handler: async ({ body, query, request, reply }) => {
        const result = await services.sessions.login({ email: body.email, password: body.password, wantToken: query.token === true, tokenName: query.token_name, info: infoOf(request) });
        const user = { id: result.user.id, login: result.user.email, role: result.user.role, organization_id: result.user.org_id };
        if (result.apiToken) return { ...user, token: result.apiToken };
        setSessionCookies(reply, { token: result.sessionToken!, secure: isSecureRequest(request) });
        return services.sessions.whoami({ kind: 'user', userId: user.id, orgId: user.organization_id, role: result.user.role, email: user.login, tokenId: null, scopes: ['*'] }, result.sessionToken);
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/v2/session', access: { role: 'viewer' },
      handler: async ({ principal, request }) => services.sessions.whoami(asUser(principal), request.sessionId ? parseCookies(request.headers.cookie)[SESSION_COOKIE] : undefined),
    }),
    defineRoute({
      method: 'DELETE', url: '/api/v2/session', access: { role: 'viewer' },
      handler: async ({ principal, request, reply }) => {
        await services.sessions.logout(asUser(principal), request.sessionId, infoOf(request));
        clearSessionCookies(reply, isSecureRequest(request));
        return { message: 'Signed out.' };
      },
    }),
  ];
}
