/** @module Checkout keys (CircleCI v2 `/project/{slug}/checkout-key`); fingerprints are `SHA256:…`, URL-encoded in paths. */
import { asUser, defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';
import { infoOf } from './auth.route.js';
import { SLUG_PATH, slugOf, type SlugParams } from './slug.js';

type KeyParams = SlugParams & { fingerprint: string };

export function checkoutKeyRoutes(services: ServerServices) {
  return [
    defineRoute<SlugParams>({
      method: 'GET', url: `${SLUG_PATH}/checkout-key`, access: { role: 'viewer' },
      handler: async ({ principal, params }) => ({ items: await services.checkoutKeys.list(asUser(principal), slugOf(params)), next_page_token: null }),
    }),
    defineRoute<SlugParams, object, { type: string }>({
      method: 'POST', url: `${SLUG_PATH}/checkout-key`, access: { role: 'admin' }, status: 201,
      schema: { body: { type: 'object', required: ['type'], additionalProperties: false, properties: { type: { type: 'string', maxLength: 30 } } } },
      handler: ({ principal, params, body, request }) => services.checkoutKeys.create(asUser(principal), { slug: slugOf(params), type: body.type, info: infoOf(request) }),
    }),
    defineRoute<KeyParams>({
      method: 'GET', url: `${SLUG_PATH}/checkout-key/:fingerprint`, access: { role: 'viewer' },
      handler: ({ principal, params }) => services.checkoutKeys.get(asUser(principal), slugOf(params), params.fingerprint),
    }),
    defineRoute<KeyParams>({
      method: 'DELETE', url: `${SLUG_PATH}/checkout-key/:fingerprint`, access: { role: 'admin' },
      handler: async ({ principal, params, request }) => {
        await services.checkoutKeys.delete(asUser(principal), { slug: slugOf(params), fingerprint: params.fingerprint, info: infoOf(request) });
        return { message: 'Checkout key deleted.' };
      },
    }),
  ];
}
