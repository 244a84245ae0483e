/** @module Key ring status and online rotation (`kiln secrets rotate`); server-wide, admins only. */
import { asUser, defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';
import { infoOf } from './auth.route.js';

export function secretsRoutes(services: ServerServices) {
  return [
    defineRoute({
      method: 'GET', url: '/api/v2/secrets/keyring', access: { role: 'admin' },
      handler: async () => services.secretsAdmin.status(),
    }),
    defineRoute<object, object, { rotate?: boolean; min_decryption_version?: number } | undefined>({
      method: 'POST', url: '/api/v2/secrets/rotate', access: { role: 'admin' },
      schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: {
        rotate: { type: 'boolean' }, min_decryption_version: { type: 'integer', minimum: 0 },
      } } },
      handler: async ({ principal, body, request }) => {
        const result = await services.secretsAdmin.rotate(asUser(principal), { rotate: body?.rotate !== false, minDecryptionVersion: body?.min_decryption_version, info: infoOf(request) });
        return { key_version: result.keyVersion, rewrapped: result.rewrapped, min_decryption_version: result.minDecryptionVersion };
      },
    }),
  ];
}
