/** @module Registered runners and small server settings (key/value). */
import type { Store } from './database.js';
import type { RunnerTable } from './schema.js';

export class RunnerRepository {
  constructor(private readonly store: Store) {}

  async create(runner: RunnerTable): Promise<void> {
    await this.store.db.insertInto('runners').values(runner).execute();
  }

  async getById(id: string): Promise<RunnerTable | undefined> {
    return this.store.db.selectFrom('runners').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByTokenHash(tokenHash: string): Promise<RunnerTable | undefined> {
    return this.store.db.selectFrom('runners').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  async list(): Promise<RunnerTable[]> {
    return this.store.db.selectFrom('runners').selectAll().orderBy('name').execute();
  }

  async update(id: string, changes: Partial<Pick<RunnerTable, 'boot_id' | 'last_seen_at' | 'resource_classes' | 'executors' | 'token_hash'>>): Promise<void> {
    await this.store.db.updateTable('runners').set(changes).where('id', '=', id).execute();
  }
}

export class KvRepository {
  constructor(private readonly store: Store) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.store.db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.store.db.insertInto('kv').values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  }
}
