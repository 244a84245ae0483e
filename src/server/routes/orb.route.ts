/** @module The orb store: publish (admin) and read (viewer) orb versions of the caller's organisation. */
import { asUser, defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';
import { MAX_ORB_BYTES } from '../services/orb.service.js';

type OrbParams = { namespace: string; name: string };
const SEGMENT = { type: 'string', minLength: 1, maxLength: 64 } as const;

export function orbRoutes(services: ServerServices) {
  return [
    defineRoute<object, object, { namespace: string; name: string; version: string; source: string }>({
      method: 'POST', url: '/api/v2/orbs', access: { role: 'admin' }, status: 201,
      schema: { body: { type: 'object', required: ['namespace', 'name', 'version', 'source'], additionalProperties: false, properties: {
        namespace: SEGMENT, name: SEGMENT, version: { type: 'string', minLength: 1, maxLength: 120 }, source: { type: 'string', minLength: 1, maxLength: MAX_ORB_BYTES },
      } } },
      handler: ({ principal, body }) => services.orbs.publish(asUser(principal), body),
    }),
    defineRoute({
      method: 'GET', url: '/api/v2/orbs', access: { role: 'viewer' },
      handler: async ({ principal }) => ({ items: await services.orbs.list(asUser(principal)), next_page_token: null }),
    }),
    defineRoute<OrbParams>({
      method: 'GET', url: '/api/v2/orbs/:namespace/:name', access: { role: 'viewer' },
      handler: ({ principal, params }) => services.orbs.versions(asUser(principal), params),
    }),
    defineRoute<OrbParams & { version: string }>({
      method: 'GET', url: '/api/v2/orbs/:namespace/:name/:version', access: { role: 'viewer' },
      handler: ({ principal, params }) => services.orbs.get(asUser(principal), params),
    }),
  ];
}
