/** @module Who is calling: resolved once per request by the auth hook, then passed to services. */
import type { Role } from '../../store/index.js';

export type Principal =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'user'; readonly userId: string; readonly orgId: string; readonly role: Role; readonly email: string; readonly tokenId: string | null; readonly scopes: readonly string[] }
  | { readonly kind: 'runner'; readonly runnerId: string; readonly orgId: string | null };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;
export type RunnerPrincipal = Extract<Principal, { kind: 'runner' }>;

/**
 * Who may call a route. Every route declares one; routes without it fail at startup.
 * - `public`: anyone, including anonymous callers.
 * - `runner`: a registered runner's token.
 * - `{ role }`: a signed-in user whose organisation role is at least `role`
 *   (viewer < member < admin). Resources of other organisations answer 404.
 */
export type Access = 'public' | 'runner' | { readonly role: Role };

const RANK: Record<Role, number> = { viewer: 1, member: 2, admin: 3 };

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous' });
