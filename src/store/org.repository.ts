/** @module Organisations and their users. */
import type { Store } from './database.js';
import type { OrgTable, Role, UserTable } from './schema.js';

export class OrgRepository {
  constructor(private readonly store: Store) {}

  async create(org: OrgTable): Promise<OrgTable> {
    await this.store.db.insertInto('orgs').values(org).execute();
    return org;
  }

  async getById(id: string): Promise<OrgTable | undefined> {
    return this.store.db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getBySlug(slug: string): Promise<OrgTable | undefined> {
    return this.store.db.selectFrom('orgs').selectAll().where('slug', '=', slug).executeTakeFirst();
  }

  async count(): Promise<number> {
    const row = await this.store.db.selectFrom('orgs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

export class UserRepository {
  constructor(private readonly store: Store) {}

  async create(user: UserTable): Promise<UserTable> {
    await this.store.db.insertInto('users').values(user).execute();
    return user;
  }

  async getById(id: string): Promise<UserTable | undefined> {
    return this.store.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByEmail(email: string): Promise<UserTable | undefined> {
    return this.store.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  }

  async listByOrg(orgId: string): Promise<UserTable[]> {
    return this.store.db.selectFrom('users').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute();
  }

  async setRole(id: string, role: Role): Promise<void> {
    await this.store.db.updateTable('users').set({ role }).where('id', '=', id).execute();
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.store.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
  }
}
