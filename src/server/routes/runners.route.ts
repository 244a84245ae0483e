/** @module `GET /api/v2/runner`: the organisation's view of runners (admins). Tokens never leave. */
import { nowIso } from '../../shared/time.js';
import { asUser, defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';

/** A runner seen within this window counts as online (it long-polls every 20 s). */
const ONLINE_MS = 60_000;

export function runnersRoutes(services: ServerServices) {
  return [
    defineRoute({
      method: 'GET', url: '/api/v2/runner', access: { role: 'admin' },
      handler: async ({ principal }) => {
        const user = asUser(principal);
        const now = Date.parse(nowIso());
        const runners = (await services.repos.runners.list()).filter((r) => r.org_id === null || r.org_id === user.orgId);
        return {
          items: runners.map((r) => ({
            id: r.id, name: r.name,
            resource_classes: JSON.parse(r.resource_classes) as string[], executors: JSON.parse(r.executors) as string[],
            last_seen_at: r.last_seen_at, online: r.last_seen_at !== null && now - Date.parse(r.last_seen_at) < ONLINE_MS,
          })),
          next_page_token: null,
        };
      },
    }),
  ];
}
