/** @module API tokens, stored only as SHA-256 digests. */
import type { Store } from './database.js';
import type { ApiTokenTable } from './schema.js';

export class ApiTokenRepository {
  constructor(private readonly store: Store) {}

  async create(token: ApiTokenTable): Promise<void> {
    await this.store.db.insertInto('api_tokens').values(token).execute();
  }

  /** The live (not revoked) token with this digest. */
  async findActiveByHash(tokenHash: string): Promise<ApiTokenTable | undefined> {
    return this.store.db.selectFrom('api_tokens').selectAll()
      .where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
  }

  async touch(id: string, at: string): Promise<void> {
    await this.store.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  async listByUser(userId: string): Promise<ApiTokenTable[]> {
    return this.store.db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  }

  async listByProject(projectId: string): Promise<ApiTokenTable[]> {
    return this.store.db.selectFrom('api_tokens').selectAll().where('project_id', '=', projectId).orderBy('created_at').execute();
  }

  async getById(id: string): Promise<ApiTokenTable | undefined> {
    return this.store.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async revoke(id: string, at: string): Promise<void> {
    await this.store.db.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }
}
