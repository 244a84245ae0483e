/** @module Projects and their per-project counters (pipeline and job numbers). */
import type { Store } from './database.js';
import type { ProjectTable } from './schema.js';

export class ProjectRepository {
  constructor(private readonly store: Store) {}

  async create(project: ProjectTable): Promise<ProjectTable> {
    await this.store.db.insertInto('projects').values(project).execute();
    return project;
  }

  async getById(id: string): Promise<ProjectTable | undefined> {
    return this.store.db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getBySlug(slug: string): Promise<ProjectTable | undefined> {
    return this.store.db.selectFrom('projects').selectAll().where('slug', '=', slug).executeTakeFirst();
  }

  async listByOrg(orgId: string): Promise<ProjectTable[]> {
    return this.store.db.selectFrom('projects').selectAll().where('org_id', '=', orgId).orderBy('name').execute();
  }

  /** Atomically takes the next pipeline number of a project. */
  async nextPipelineNumber(projectId: string): Promise<number> {
    const row = await this.store.db.updateTable('projects')
      .set((eb) => ({ next_pipeline_number: eb('next_pipeline_number', '+', 1) }))
      .where('id', '=', projectId).returning('next_pipeline_number').executeTakeFirstOrThrow();
    return Number(row.next_pipeline_number) - 1;
  }

  /** Atomically takes the next job number of a project. */
  async nextJobNumber(projectId: string): Promise<number> {
    const row = await this.store.db.updateTable('projects')
      .set((eb) => ({ next_job_number: eb('next_job_number', '+', 1) }))
      .where('id', '=', projectId).returning('next_job_number').executeTakeFirstOrThrow();
    return Number(row.next_job_number) - 1;
  }
}
