/**
 * @module Scheduled pipelines (CircleCI API v2 `/project/{slug}/schedule`, `/schedule/{id}`).
 * Required fields are checked by the service after the project is found, so another
 * organisation's caller gets 404 rather than a description of the body.
 */
import { asUser, defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';
import type { ScheduleInput } from '../services/schedule.service.js';
import { infoOf } from './auth.route.js';
import { SLUG_PATH, slugOf, type SlugParams } from './slug.js';

const bodySchema = { type: 'object', additionalProperties: false, properties: {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  description: { type: 'string', maxLength: 2000 },
  timetable: { type: 'object' },
  cron: { type: 'string', minLength: 1, maxLength: 200 },
  'attribution-actor': { type: 'string', enum: ['current', 'system'] },
  parameters: { type: 'object', maxProperties: 101 },
} } as const;

export function scheduleRoutes(services: ServerServices) {
  return [
    defineRoute<SlugParams, object, ScheduleInput | undefined>({
      method: 'POST', url: `${SLUG_PATH}/schedule`, access: { role: 'member' }, status: 201,
      schema: { body: { ...bodySchema, type: ['object', 'null'] } },
      handler: ({ principal, params, body, request }) => services.schedules.create(asUser(principal), { slug: slugOf(params), body: body ?? {}, info: infoOf(request) }),
    }),
    defineRoute<SlugParams>({
      method: 'GET', url: `${SLUG_PATH}/schedule`, access: { role: 'viewer' },
      handler: async ({ principal, params }) => ({ items: await services.schedules.list(asUser(principal), slugOf(params)), next_page_token: null }),
    }),
    defineRoute<{ id: string }>({
      method: 'GET', url: '/api/v2/schedule/:id', access: { role: 'viewer' },
      handler: ({ principal, params }) => services.schedules.get(asUser(principal), params.id),
    }),
    defineRoute<{ id: string }, object, ScheduleInput | undefined>({
      method: 'PATCH', url: '/api/v2/schedule/:id', access: { role: 'member' },
      schema: { body: { ...bodySchema, type: ['object', 'null'] } },
      handler: ({ principal, params, body, request }) => services.schedules.update(asUser(principal), { id: params.id, body: body ?? {}, info: infoOf(request) }),
    }),
    defineRoute<{ id: string }>({
      method: 'DELETE', url: '/api/v2/schedule/:id', access: { role: 'member' },
      handler: async ({ principal, params, request }) => {
        await services.schedules.delete(asUser(principal), { id: params.id, info: infoOf(request) });
        return { message: 'Schedule deleted.' };
      },
    }),
  ];
}
