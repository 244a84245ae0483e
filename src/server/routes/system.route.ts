/** @module Health, first-run setup and "who am I". */
import { asUser, defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';

export function systemRoutes(services: ServerServices) {
  return [
    defineRoute({
      method: 'GET', url: '/healthz', access: 'public',
      handler: async () => ({ status: 'ok' }),
    }),
    defineRoute({
      method: 'GET', url: '/api/v2/setup', access: 'public',
      handler: async () => ({ needs_setup: await services.bootstrap.needsSetup() }),
    }),
    defineRoute<object, object, { code: string; email: string; password: string }>({
      method: 'POST', url: '/api/v2/setup', access: 'public', status: 201,
      schema: { body: { type: 'object', required: ['code', 'email', 'password'], additionalProperties: false, properties: {
        code: { type: 'string', maxLength: 100 }, email: { type: 'string', format: 'email', maxLength: 320 }, password: { type: 'string', maxLength: 1000 },
      } } },
      handler: async ({ body }) => { await services.bootstrap.completeSetup(body); return { message: 'Admin created; sign in.' }; },
    }),
    defineRoute({
      method: 'GET', url: '/api/v2/me', access: { role: 'viewer' },
      handler: async ({ principal }) => {
        const user = asUser(principal);
        return { id: user.userId, login: user.email, name: user.email, role: user.role, organization_id: user.orgId };
      },
    }),
  ];
}
