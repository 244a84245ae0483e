/** @module Contexts (CircleCI v2 `/api/v2/context`), their variables and restrictions. */
import { asUser, defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';
import { infoOf } from './auth.route.js';

type IdParams = { id: string };
type VarParams = { id: string; envName: string };

export function contextRoutes(services: ServerServices) {
  return [
    defineRoute<object, { 'owner-id'?: string; 'owner-slug'?: string; 'owner-type'?: string; 'page-token'?: string }>({
      method: 'GET', url: '/api/v2/context', access: { role: 'viewer' },
      handler: async ({ principal, query }) => ({ items: await services.contexts.list(asUser(principal), query['owner-id']), next_page_token: null }),
    }),
    defineRoute<object, object, { name: string; owner?: { id?: string; type?: string; slug?: string } }>({
      method: 'POST', url: '/api/v2/context', access: { role: 'admin' },
      schema: { body: { type: 'object', required: ['name'], additionalProperties: false, properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        owner: { type: 'object', additionalProperties: false, properties: { id: { type: 'string', maxLength: 100 }, type: { type: 'string', maxLength: 50 }, slug: { type: 'string', maxLength: 200 } } },
      } } },
      handler: ({ principal, body, request }) => services.contexts.create(asUser(principal), { name: body.name, owner: body.owner, info: infoOf(request) }),
    }),
    defineRoute<IdParams>({
      method: 'GET', url: '/api/v2/context/:id', access: { role: 'viewer' },
      handler: ({ principal, params }) => services.contexts.get(asUser(principal), params.id),
    }),
    defineRoute<IdParams>({
      method: 'DELETE', url: '/api/v2/context/:id', access: { role: 'admin' },
      handler: async ({ principal, params, request }) => { await services.contexts.delete(asUser(principal), params.id, infoOf(request)); return { message: 'Context deleted.' }; },
    }),
    defineRoute<IdParams>({
      method: 'GET', url: '/api/v2/context/:id/environment-variable', access: { role: 'viewer' },
      handler: async ({ principal, params }) => ({ items: await services.contexts.listVars(asUser(principal), params.id), next_page_token: null }),
    }),
    defineRoute<VarParams, object, { value: string }>({
      method: 'PUT', url: '/api/v2/context/:id/environment-variable/:envName', access: { role: 'admin' },
      schema: { body: { type: 'object', required: ['value'], additionalProperties: false, properties: { value: { type: 'string', maxLength: 32 * 1024 } } } },
      handler: ({ principal, params, body, request }) => services.contexts.setVar(asUser(principal), { id: params.id, name: params.envName, value: body.value, info: infoOf(request) }),
    }),
    defineRoute<VarParams>({
      method: 'DELETE', url: '/api/v2/context/:id/environment-variable/:envName', access: { role: 'admin' },
      handler: async ({ principal, params, request }) => {
        await services.contexts.deleteVar(asUser(principal), { id: params.id, name: params.envName, info: infoOf(request) });
        return { message: 'Environment variable deleted.' };
      },
    }),
    defineRoute<IdParams>({
      method: 'GET', url: '/api/v2/context/:id/restrictions', access: { role: 'viewer' },
      handler: async ({ principal, params }) => ({ items: await services.contexts.listRestrictions(asUser(principal), params.id), next_page_token: null }),
    }),
    defineRoute<IdParams, object, { restriction_type: string; restriction_value: string }>({
      method: 'POST', url: '/api/v2/context/:id/restrictions', access: { role: 'admin' }, status: 201,
      schema: { body: { type: 'object', required: ['restriction_type', 'restriction_value'], additionalProperties: false, properties: {
        restriction_type: { type: 'string', maxLength: 20 }, restriction_value: { type: 'string', maxLength: 200 },
      } } },
      handler: ({ principal, params, body }) => services.contexts.addRestriction(asUser(principal), { id: params.id, type: body.restriction_type, value: body.restriction_value }),
    }),
    defineRoute<IdParams & { restrictionId: string }>({
      method: 'DELETE', url: '/api/v2/context/:id/restrictions/:restrictionId', access: { role: 'admin' },
      handler: async ({ principal, params }) => {
        await services.contexts.deleteRestriction(asUser(principal), { id: params.id, restrictionId: params.restrictionId });
        return { message: 'Restriction deleted.' };
      },
    }),
  ];
}
