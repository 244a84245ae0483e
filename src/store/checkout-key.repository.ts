/** @module Project SSH keys: public key in clear, private key as ciphertext only. */
import type { Store } from './database.js';
import type { CheckoutKeyTable } from './secrets.schema.js';

export class CheckoutKeyRepository {
  constructor(private readonly store: Store) {}

  async create(key: CheckoutKeyTable): Promise<CheckoutKeyTable> {
    await this.store.db.insertInto('checkout_keys').values(key).execute();
    return key;
  }

  async listByProject(projectId: string): Promise<CheckoutKeyTable[]> {
    return this.store.db.selectFrom('checkout_keys').selectAll().where('project_id', '=', projectId)
      .orderBy('preferred', 'desc').orderBy('created_at', 'desc').orderBy('id').execute();
  }

  async getByFingerprint(projectId: string, fingerprint: string): Promise<CheckoutKeyTable | undefined> {
    return this.store.db.selectFrom('checkout_keys').selectAll().where('project_id', '=', projectId).where('fingerprint', '=', fingerprint).executeTakeFirst();
  }

  async delete(id: string): Promise<void> {
    await this.store.db.deleteFrom('checkout_keys').where('id', '=', id).execute();
  }

  async page(afterId: string | undefined, limit: number): Promise<CheckoutKeyTable[]> {
    let query = this.store.db.selectFrom('checkout_keys').selectAll();
    if (afterId) query = query.where('id', '>', afterId);
    return query.orderBy('id').limit(limit).execute();
  }

  async swapCiphertext(input: { id: string; expected: string; next: string }): Promise<boolean> {
    const result = await this.store.db.updateTable('checkout_keys').set({ private_key_ciphertext: input.next })
      .where('id', '=', input.id).where('private_key_ciphertext', '=', input.expected).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
