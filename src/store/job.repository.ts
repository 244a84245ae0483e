/** @module Jobs of workflows. */
import type { Store } from './database.js';
import type { JobTable } from './schema.js';

export type JobChanges = Partial<Pick<JobTable, 'status' | 'number' | 'status_reason' | 'approved_by' | 'queued_at' | 'started_at' | 'stopped_at'>>;

export class JobRepository {
  constructor(private readonly store: Store) {}

  async createMany(jobs: JobTable[]): Promise<void> {
    if (jobs.length) await this.store.db.insertInto('jobs').values(jobs).execute();
  }

  async getById(id: string): Promise<JobTable | undefined> {
    return this.store.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByNumber(projectId: string, number: number): Promise<JobTable | undefined> {
    return this.store.db.selectFrom('jobs').selectAll()
      .where('project_id', '=', projectId).where('number', '=', number).executeTakeFirst();
  }

  async listByWorkflow(workflowId: string): Promise<JobTable[]> {
    return this.store.db.selectFrom('jobs').selectAll().where('workflow_id', '=', workflowId).orderBy('created_at').orderBy('name').execute();
  }

  async update(id: string, changes: JobChanges): Promise<void> {
    await this.store.db.updateTable('jobs').set(changes).where('id', '=', id).execute();
  }

  /**
   * Moves a job from one of `from` to a new status; returns false if it was no longer in
   * one of them (another server replica got there first).
   */
  async transition(id: string, from: readonly string[], changes: JobChanges): Promise<boolean> {
    const result = await this.store.db.updateTable('jobs').set(changes)
      .where('id', '=', id).where('status', 'in', from).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
