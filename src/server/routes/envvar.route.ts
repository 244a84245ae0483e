/** @module Project environment variables (CircleCI v2) and the project's secret-delivery settings. */
import { asUser, defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';
import { infoOf } from './auth.route.js';
import { SLUG_PATH, slugOf, type SlugParams } from './slug.js';

type VarParams = SlugParams & { envName: string };

export function envVarRoutes(services: ServerServices) {
  return [
    defineRoute<SlugParams>({
      method: 'GET', url: `${SLUG_PATH}/envvar`, access: { role: 'viewer' },
      handler: async ({ principal, params }) => ({ items: await services.envVars.list(asUser(principal), slugOf(params)), next_page_token: null }),
    }),
    defineRoute<SlugParams, object, { name: string; value: string }>({
      method: 'POST', url: `${SLUG_PATH}/envvar`, access: { role: 'member' }, status: 201,
      schema: { body: { type: 'object', required: ['name', 'value'], additionalProperties: false, properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 }, value: { type: 'string', maxLength: 32 * 1024 },
      } } },
      handler: ({ principal, params, body, request }) => services.envVars.set(asUser(principal), { slug: slugOf(params), name: body.name, value: body.value, info: infoOf(request) }),
    }),
    defineRoute<VarParams>({
      method: 'GET', url: `${SLUG_PATH}/envvar/:envName`, access: { role: 'viewer' },
      handler: ({ principal, params }) => services.envVars.get(asUser(principal), slugOf(params), params.envName),
    }),
    defineRoute<VarParams>({
      method: 'DELETE', url: `${SLUG_PATH}/envvar/:envName`, access: { role: 'member' },
      handler: async ({ principal, params, request }) => {
        await services.envVars.delete(asUser(principal), { slug: slugOf(params), name: params.envName, info: infoOf(request) });
        return { message: 'Environment variable deleted.' };
      },
    }),
    defineRoute<SlugParams>({
      method: 'GET', url: `${SLUG_PATH}/security-settings`, access: { role: 'viewer' },
      handler: ({ principal, params }) => services.envVars.settings(asUser(principal), slugOf(params)),
    }),
    defineRoute<SlugParams, object, { fork_pr_secrets?: boolean; known_hosts?: string }>({
      method: 'PATCH', url: `${SLUG_PATH}/security-settings`, access: { role: 'admin' },
      schema: { body: { type: 'object', additionalProperties: false, properties: {
        fork_pr_secrets: { type: 'boolean' }, known_hosts: { type: 'string', maxLength: 64 * 1024 },
      } } },
      handler: ({ principal, params, body, request }) => services.envVars.updateSettings(asUser(principal), {
        slug: slugOf(params), forkPrSecrets: body.fork_pr_secrets, knownHosts: body.known_hosts, info: infoOf(request),
      }),
    }),
  ];
}
