/**
 * @module `POST /api/v2/pipeline/continue` (CircleCI shape). The route is public: the
 * continuation key in the body is the credential, checked by the service. Parameter values are
 * not typed in the schema (the coercing validator would turn `true` into `"true"`); the service checks them.
 */
import { defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';

export function continuationRoutes(services: ServerServices) {
  return [
    defineRoute<object, object, { 'continuation-key': string; configuration: string; parameters?: Record<string, unknown> }>({
      method: 'POST', url: '/api/v2/pipeline/continue', access: 'public',
      schema: { body: { type: 'object', required: ['continuation-key', 'configuration'], additionalProperties: false, properties: {
        'continuation-key': { type: 'string', minLength: 1, maxLength: 200 },
        configuration: { type: 'string', minLength: 1, maxLength: 4 * 1024 * 1024 },
        parameters: { type: 'object', maxProperties: 100, propertyNames: { maxLength: 128 } },
      } } },
      handler: ({ body }) => services.continuations.continue({ key: body['continuation-key'], configuration: body.configuration, parameters: body.parameters }),
    }),
  ];
}
