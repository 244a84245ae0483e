/** @module Personal (`/api/v2/me/token`) and project (`/api/v2/project/{slug}/token`) API tokens. */
import { asUser, defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';
import { infoOf } from './auth.route.js';
import { SLUG_PATH, slugOf, type SlugParams } from './slug.js';

const tokenBody = { type: 'object', required: ['name'], additionalProperties: false, properties: {
  name: { type: 'string', minLength: 1, maxLength: 100 }, scopes: { type: 'array', maxItems: 5, items: { type: 'string', maxLength: 20 } },
} } as const;
const idParams = { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } as const;

export function tokenRoutes(services: ServerServices) {
  return [
    defineRoute<object, object, { name: string; scopes?: string[] }>({
      method: 'POST', url: '/api/v2/me/token', access: { role: 'viewer' }, status: 201, schema: { body: tokenBody },
      handler: ({ principal, body, request }) => services.tokens.createPersonal(asUser(principal), { name: body.name, scopes: body.scopes, info: infoOf(request) }),
    }),
    defineRoute({
      method: 'GET', url: '/api/v2/me/token', access: { role: 'viewer' },
      handler: async ({ principal }) => ({ items: await services.tokens.listPersonal(asUser(principal)), next_page_token: null }),
    }),
    defineRoute<{ id: string }>({
      method: 'DELETE', url: '/api/v2/me/token/:id', access: { role: 'viewer' }, schema: { params: idParams },
      handler: async ({ principal, params, request }) => { await services.tokens.revokePersonal(asUser(principal), params.id, infoOf(request)); return { message: 'Token revoked.' }; },
    }),
    defineRoute<SlugParams, object, { name: string; scopes?: string[] }>({
      method: 'POST', url: `${SLUG_PATH}/token`, access: { role: 'admin' }, status: 201, schema: { body: tokenBody },
      handler: ({ principal, params, body, request }) => services.tokens.createForProject(asUser(principal), { slug: slugOf(params), name: body.name, scopes: body.scopes, info: infoOf(request) }),
    }),
    defineRoute<SlugParams>({
      method: 'GET', url: `${SLUG_PATH}/token`, access: { role: 'admin' },
      handler: async ({ principal, params }) => ({ items: await services.tokens.listForProject(asUser(principal), slugOf(params)), next_page_token: null }),
    }),
    defineRoute<SlugParams & { id: string }>({
      method: 'DELETE', url: `${SLUG_PATH}/token/:id`, access: { role: 'admin' }, schema: { params: idParams },
      handler: async ({ principal, params, request }) => {
        await services.tokens.revokeForProject(asUser(principal), { slug: slugOf(params), id: params.id, info: infoOf(request) });
        return { message: 'Token revoked.' };
      },
    }),
  ];
}
