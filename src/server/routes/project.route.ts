/** @module Project routes. */
import { asUser, defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';
import { SLUG_PATH, slugOf, type SlugParams } from './slug.js';

export function projectRoutes(services: ServerServices) {
  return [
    defineRoute<object, object, { name: string; repo_url: string; default_branch?: string }>({
      method: 'POST', url: '/api/v2/project', access: { role: 'admin' }, status: 201,
      schema: { body: { type: 'object', required: ['name', 'repo_url'], additionalProperties: false, properties: {
        name: { type: 'string', maxLength: 100 }, repo_url: { type: 'string', maxLength: 2000 }, default_branch: { type: 'string', maxLength: 255 },
      } } },
      handler: ({ principal, body, request }) => services.projects.create(asUser(principal), { name: body.name, repoUrl: body.repo_url, defaultBranch: body.default_branch, requestId: request.id }),
    }),
    defineRoute({
      method: 'GET', url: '/api/v2/project', access: { role: 'viewer' },
      handler: async ({ principal }) => ({ items: await services.projects.list(asUser(principal)), next_page_token: null }),
    }),
    defineRoute<SlugParams>({
      method: 'GET', url: SLUG_PATH, access: { role: 'viewer' },
      handler: ({ principal, params }) => services.projects.get(asUser(principal), slugOf(params)),
    }),
  ];
}
