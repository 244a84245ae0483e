/**
 * @module Route declarations. A route is data: method, url, who may call it, JSON schemas,
 * and a thin handler that calls one service method. `registerRoutes` refuses a route without
 * an access rule, so no endpoint can be exposed by omission.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { errors } from '../../shared/errors.js';
import { roleAtLeast, type Access, type Principal, type UserPrincipal, type RunnerPrincipal } from './principal.js';

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<P = Record<string, string>, Q = Record<string, string | undefined>, B = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  access: Access;
  schema?: FastifySchema;
  /** Status for a successful answer (default 200). */
  status?: number;
  handler(ctx: RouteContext<P, Q, B>): Promise<unknown>;
}

/** Erases a route's parameter types so routes of different shapes share one list. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any>;

export function defineRoute<P = Record<string, string>, Q = Record<string, string | undefined>, B = unknown>(spec: RouteSpec<P, Q, B>): AnyRoute {
  return spec as AnyRoute;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

/** Throws 401/403 unless `principal` satisfies `access`. */
export function authorize(principal: Principal, access: Access): void {
  if (access === 'public') return;
  if (access === 'runner') {
    if (principal.kind !== 'runner') throw principal.kind === 'anonymous' ? errors.unauthenticated() : errors.forbidden('Runner credentials required');
    return;
  }
  if (principal.kind !== 'user') throw principal.kind === 'anonymous' ? errors.unauthenticated() : errors.forbidden();
  if (!roleAtLeast(principal.role, access.role)) throw errors.forbidden(`This needs the ${access.role} role`);
}

export function asUser(principal: Principal): UserPrincipal {
  if (principal.kind !== 'user') throw errors.unauthenticated();
  return principal;
}

export function asRunner(principal: Principal): RunnerPrincipal {
  if (principal.kind !== 'runner') throw errors.unauthenticated();
  return principal;
}

export function registerRoutes(app: FastifyInstance, routes: readonly AnyRoute[]): void {
  for (const spec of routes) {
    if (!spec.access) throw new Error(`Route ${spec.method} ${spec.url} declares no access rule`);
    app.route({
      method: spec.method,
      url: spec.url,
      schema: spec.schema,
      config: { access: spec.access },
      handler: async (request, reply) => {
        authorize(request.principal, spec.access);
        const result = await spec.handler({
          params: request.params, query: request.query, body: request.body,
          principal: request.principal, request, reply,
        });
        if (reply.sent) return reply;
        reply.code(spec.status ?? 200);
        return result ?? {};
      },
    });
  }
}
