/** @module Contexts, their encrypted variables and their restrictions. */
import type { Store } from './database.js';
import type { ContextEnvVarTable, ContextRestrictionTable, ContextTable } from './secrets.schema.js';

export class ContextRepository {
  constructor(private readonly store: Store) {}

  async create(context: ContextTable): Promise<ContextTable> {
    await this.store.db.insertInto('contexts').values(context).execute();
    return context;
  }

  async getById(id: string): Promise<ContextTable | undefined> {
    return this.store.db.selectFrom('contexts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByName(orgId: string, name: string): Promise<ContextTable | undefined> {
    return this.store.db.selectFrom('contexts').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst();
  }

  async listByOrg(orgId: string): Promise<ContextTable[]> {
    return this.store.db.selectFrom('contexts').selectAll().where('org_id', '=', orgId).orderBy('name').execute();
  }

  /** Deletes the context with its variables and restrictions. */
  async delete(id: string): Promise<void> {
    await this.store.db.deleteFrom('context_env_vars').where('context_id', '=', id).execute();
    await this.store.db.deleteFrom('context_restrictions').where('context_id', '=', id).execute();
    await this.store.db.deleteFrom('contexts').where('id', '=', id).execute();
  }

  async upsertVar(row: ContextEnvVarTable): Promise<{ replaced: boolean; row: ContextEnvVarTable }> {
    const existing = await this.getVar(row.context_id, row.name);
    if (existing) {
      await this.store.db.updateTable('context_env_vars').set({ ciphertext: row.ciphertext, updated_at: row.updated_at })
        .where('context_id', '=', row.context_id).where('name', '=', row.name).execute();
      return { replaced: true, row: { ...row, created_at: existing.created_at } };
    }
    await this.store.db.insertInto('context_env_vars').values(row).execute();
    return { replaced: false, row };
  }

  async getVar(contextId: string, name: string): Promise<ContextEnvVarTable | undefined> {
    return this.store.db.selectFrom('context_env_vars').selectAll().where('context_id', '=', contextId).where('name', '=', name).executeTakeFirst();
  }

  async listVars(contextId: string): Promise<ContextEnvVarTable[]> {
    return this.store.db.selectFrom('context_env_vars').selectAll().where('context_id', '=', contextId).orderBy('name').execute();
  }

  async countVars(contextId: string): Promise<number> {
    const row = await this.store.db.selectFrom('context_env_vars').select((eb) => eb.fn.countAll<number>().as('n')).where('context_id', '=', contextId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async deleteVar(contextId: string, name: string): Promise<boolean> {
    const result = await this.store.db.deleteFrom('context_env_vars').where('context_id', '=', contextId).where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async pageVars(after: { contextId: string; name: string } | undefined, limit: number): Promise<ContextEnvVarTable[]> {
    let query = this.store.db.selectFrom('context_env_vars').selectAll();
    if (after) {
      query = query.where((eb) => eb.or([
        eb('context_id', '>', after.contextId),
        eb.and([eb('context_id', '=', after.contextId), eb('name', '>', after.name)]),
      ]));
    }
    return query.orderBy('context_id').orderBy('name').limit(limit).execute();
  }

  async swapVarCiphertext(input: { contextId: string; name: string; expected: string; next: string }): Promise<boolean> {
    const result = await this.store.db.updateTable('context_env_vars').set({ ciphertext: input.next })
      .where('context_id', '=', input.contextId).where('name', '=', input.name).where('ciphertext', '=', input.expected).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async addRestriction(row: ContextRestrictionTable): Promise<ContextRestrictionTable> {
    await this.store.db.insertInto('context_restrictions').values(row).execute();
    return row;
  }

  async listRestrictions(contextId: string): Promise<ContextRestrictionTable[]> {
    return this.store.db.selectFrom('context_restrictions').selectAll().where('context_id', '=', contextId).orderBy('created_at').orderBy('id').execute();
  }

  async deleteRestriction(contextId: string, id: string): Promise<boolean> {
    const result = await this.store.db.deleteFrom('context_restrictions').where('context_id', '=', contextId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
