/** @module Whitelists the fields of users and groups that leave the server: never password hashes. */
import type { OrgGroupTable, UserTable } from '../../store/index.js';

export function presentUser(user: UserTable) {
  return { id: user.id, email: user.email, name: user.name, role: user.role, organization_id: user.org_id, created_at: user.created_at };
}

export function presentGroup(group: OrgGroupTable, memberIds: string[]) {
  return { id: group.id, name: group.name, organization_id: group.org_id, member_ids: memberIds, created_at: group.created_at };
}
