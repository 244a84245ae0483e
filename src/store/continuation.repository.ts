/** @module Setup-pipeline continuations: the once-only claim and the hashed keys handed to setup jobs. */
import type { Store } from './database.js';
import type { ContinuationKeyTable, PipelineContinuationTable } from './orb.schema.js';

export class ContinuationRepository {
  constructor(private readonly store: Store) {}

  async create(row: PipelineContinuationTable): Promise<void> {
    await this.store.db.insertInto('pipeline_continuations').values(row).execute();
  }

  async get(pipelineId: string): Promise<PipelineContinuationTable | undefined> {
    return this.store.db.selectFrom('pipeline_continuations').selectAll().where('pipeline_id', '=', pipelineId).executeTakeFirst();
  }

  async addKey(row: ContinuationKeyTable): Promise<void> {
    await this.store.db.insertInto('continuation_keys').values(row).execute();
  }

  async findKey(keyHash: string): Promise<ContinuationKeyTable | undefined> {
    return this.store.db.selectFrom('continuation_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
  }

  /** Marks the pipeline continued if it is not yet, and not expired at `now`. True for the one caller that wins. */
  async claim(pipelineId: string, now: string): Promise<boolean> {
    const result = await this.store.db.updateTable('pipeline_continuations').set({ continued_at: now })
      .where('pipeline_id', '=', pipelineId).where('continued_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
