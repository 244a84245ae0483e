/** @module Pipelines and their workflows. */
import type { Store } from './database.js';
import type { PipelineTable, WorkflowTable } from './schema.js';

export class PipelineRepository {
  constructor(private readonly store: Store) {}

  async create(pipeline: PipelineTable): Promise<PipelineTable> {
    await this.store.db.insertInto('pipelines').values(pipeline).execute();
    return pipeline;
  }

  async getById(id: string): Promise<PipelineTable | undefined> {
    return this.store.db.selectFrom('pipelines').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByNumber(projectId: string, number: number): Promise<PipelineTable | undefined> {
    return this.store.db.selectFrom('pipelines').selectAll()
      .where('project_id', '=', projectId).where('number', '=', number).executeTakeFirst();
  }

  /** Newest first; `before` is a pipeline number for keyset pagination. */
  async listByProject(projectId: string, options: { limit: number; before?: number }): Promise<PipelineTable[]> {
    let query = this.store.db.selectFrom('pipelines').selectAll().where('project_id', '=', projectId);
    if (options.before !== undefined) query = query.where('number', '<', options.before);
    return query.orderBy('number', 'desc').limit(options.limit).execute();
  }

  async update(id: string, changes: Partial<Pick<PipelineTable, 'state' | 'errors' | 'revision' | 'updated_at'>>): Promise<void> {
    await this.store.db.updateTable('pipelines').set(changes).where('id', '=', id).execute();
  }
}

export class WorkflowRepository {
  constructor(private readonly store: Store) {}

  async create(workflow: WorkflowTable): Promise<WorkflowTable> {
    await this.store.db.insertInto('workflows').values(workflow).execute();
    return workflow;
  }

  async getById(id: string): Promise<WorkflowTable | undefined> {
    return this.store.db.selectFrom('workflows').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listByPipeline(pipelineId: string): Promise<WorkflowTable[]> {
    return this.store.db.selectFrom('workflows').selectAll().where('pipeline_id', '=', pipelineId).orderBy('created_at').orderBy('name').execute();
  }

  async setStatus(id: string, status: string, stoppedAt: string | null): Promise<void> {
    await this.store.db.updateTable('workflows').set({ status, stopped_at: stoppedAt }).where('id', '=', id).execute();
  }
}
