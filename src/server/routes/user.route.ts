/** @module Users and security groups of the caller's organisation. */
import type { Role } from '../../store/index.js';
import { asUser, defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';
import { infoOf } from './auth.route.js';

const uuid = { type: 'string', format: 'uuid' } as const;

export function userRoutes(services: ServerServices) {
  return [
    defineRoute<object, object, { email: string; role: Role; password: string; name?: string }>({
      method: 'POST', url: '/api/v2/user', access: { role: 'admin' }, status: 201,
      schema: { body: { type: 'object', required: ['email', 'role', 'password'], additionalProperties: false, properties: {
        email: { type: 'string', maxLength: 320 }, role: { type: 'string', enum: ['admin', 'member', 'viewer'] },
        password: { type: 'string', maxLength: 1000 }, name: { type: 'string', maxLength: 200 },
      } } },
      handler: ({ principal, body, request }) => services.users.create(asUser(principal), { ...body, info: infoOf(request) }),
    }),
    defineRoute({
      method: 'GET', url: '/api/v2/user', access: { role: 'viewer' },
      handler: async ({ principal }) => ({ items: await services.users.list(asUser(principal)), next_page_token: null }),
    }),
    defineRoute<object, object, { name: string }>({
      method: 'POST', url: '/api/v2/group', access: { role: 'admin' }, status: 201,
      schema: { body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', maxLength: 200 } } } },
      handler: ({ principal, body }) => services.groups.create(asUser(principal), body.name),
    }),
    defineRoute({
      method: 'GET', url: '/api/v2/group', access: { role: 'viewer' },
      handler: async ({ principal }) => ({ items: await services.groups.list(asUser(principal)), next_page_token: null }),
    }),
    defineRoute<{ id: string; userId: string }>({
      method: 'PUT', url: '/api/v2/group/:id/member/:userId', access: { role: 'admin' },
      schema: { params: { type: 'object', properties: { id: uuid, userId: uuid } } },
      handler: async ({ principal, params, request }) => {
        await services.groups.setMember(asUser(principal), { groupId: params.id, userId: params.userId, member: true, info: infoOf(request) });
        return { message: 'Member added.' };
      },
    }),
    defineRoute<{ id: string; userId: string }>({
      method: 'DELETE', url: '/api/v2/group/:id/member/:userId', access: { role: 'admin' },
      schema: { params: { type: 'object', properties: { id: uuid, userId: uuid } } },
      handler: async ({ principal, params, request }) => {
        await services.groups.setMember(asUser(principal), { groupId: params.id, userId: params.userId, member: false, info: infoOf(request) });
        return { message: 'Member removed.' };
      },
    }),
  ];
}
