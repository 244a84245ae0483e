/** @module Security groups inside an organisation and their members. */
import type { Store } from './database.js';
import type { OrgGroupTable } from './secrets.schema.js';

export class GroupRepository {
  constructor(private readonly store: Store) {}

  async create(group: OrgGroupTable): Promise<OrgGroupTable> {
    await this.store.db.insertInto('org_groups').values(group).execute();
    return group;
  }

  async getById(id: string): Promise<OrgGroupTable | undefined> {
    return this.store.db.selectFrom('org_groups').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByName(orgId: string, name: string): Promise<OrgGroupTable | undefined> {
    return this.store.db.selectFrom('org_groups').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst();
  }

  async listByOrg(orgId: string): Promise<OrgGroupTable[]> {
    return this.store.db.selectFrom('org_groups').selectAll().where('org_id', '=', orgId).orderBy('name').execute();
  }

  /** Adds a member; adding an existing member is a no-op. */
  async addMember(input: { groupId: string; userId: string; at: string }): Promise<void> {
    await this.store.db.insertInto('org_group_members').values({ group_id: input.groupId, user_id: input.userId, created_at: input.at })
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing()).execute();
  }

  async removeMember(input: { groupId: string; userId: string }): Promise<boolean> {
    const result = await this.store.db.deleteFrom('org_group_members').where('group_id', '=', input.groupId).where('user_id', '=', input.userId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Ids of the groups `userId` belongs to. */
  async groupIdsOf(userId: string): Promise<string[]> {
    const rows = await this.store.db.selectFrom('org_group_members').select('group_id').where('user_id', '=', userId).execute();
    return rows.map((r) => r.group_id);
  }

  async memberIds(groupId: string): Promise<string[]> {
    const rows = await this.store.db.selectFrom('org_group_members').select('user_id').where('group_id', '=', groupId).orderBy('user_id').execute();
    return rows.map((r) => r.user_id);
  }
}
