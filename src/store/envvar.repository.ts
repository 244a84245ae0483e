/** @module Project environment variables (ciphertext only), project security settings and pipeline origin flags. */
import type { Store } from './database.js';
import type { PipelineOriginTable, ProjectEnvVarTable, ProjectSettingsTable } from './secrets.schema.js';

export class ProjectEnvVarRepository {
  constructor(private readonly store: Store) {}

  /** Creates or replaces a variable; returns whether one existed. */
  async upsert(row: ProjectEnvVarTable): Promise<boolean> {
    const existing = await this.get(row.project_id, row.name);
    if (existing) {
      await this.store.db.updateTable('project_env_vars').set({ ciphertext: row.ciphertext, updated_at: row.updated_at })
        .where('project_id', '=', row.project_id).where('name', '=', row.name).execute();
      return true;
    }
    await this.store.db.insertInto('project_env_vars').values(row).execute();
    return false;
  }

  async get(projectId: string, name: string): Promise<ProjectEnvVarTable | undefined> {
    return this.store.db.selectFrom('project_env_vars').selectAll().where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
  }

  async listByProject(projectId: string): Promise<ProjectEnvVarTable[]> {
    return this.store.db.selectFrom('project_env_vars').selectAll().where('project_id', '=', projectId).orderBy('name').execute();
  }

  async delete(projectId: string, name: string): Promise<boolean> {
    const result = await this.store.db.deleteFrom('project_env_vars').where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Every row, in a stable order, a page at a time (rotation). */
  async page(after: { projectId: string; name: string } | undefined, limit: number): Promise<ProjectEnvVarTable[]> {
    let query = this.store.db.selectFrom('project_env_vars').selectAll();
    if (after) {
      query = query.where((eb) => eb.or([
        eb('project_id', '>', after.projectId),
        eb.and([eb('project_id', '=', after.projectId), eb('name', '>', after.name)]),
      ]));
    }
    return query.orderBy('project_id').orderBy('name').limit(limit).execute();
  }

  /** Replaces the ciphertext only if it is still `expected` (rotation races with writes). */
  async swapCiphertext(input: { projectId: string; name: string; expected: string; next: string }): Promise<boolean> {
    const result = await this.store.db.updateTable('project_env_vars').set({ ciphertext: input.next })
      .where('project_id', '=', input.projectId).where('name', '=', input.name).where('ciphertext', '=', input.expected).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

export class ProjectSettingsRepository {
  constructor(private readonly store: Store) {}

  /** The settings of a project; defaults (fork secrets off, no pinned host keys) when never set. */
  async get(projectId: string): Promise<ProjectSettingsTable> {
    const row = await this.store.db.selectFrom('project_settings').selectAll().where('project_id', '=', projectId).executeTakeFirst();
    return row ?? { project_id: projectId, fork_pr_secrets: 0, known_hosts: '', updated_at: '' };
  }

  async put(row: ProjectSettingsTable): Promise<void> {
    await this.store.db.insertInto('project_settings').values(row)
      .onConflict((oc) => oc.column('project_id').doUpdateSet({ fork_pr_secrets: row.fork_pr_secrets, known_hosts: row.known_hosts, updated_at: row.updated_at }))
      .execute();
  }
}

export class PipelineOriginRepository {
  constructor(private readonly store: Store) {}

  async set(row: PipelineOriginTable): Promise<void> {
    await this.store.db.insertInto('pipeline_origins').values(row)
      .onConflict((oc) => oc.column('pipeline_id').doUpdateSet({ from_fork: row.from_fork })).execute();
  }

  async get(pipelineId: string): Promise<PipelineOriginTable | undefined> {
    return this.store.db.selectFrom('pipeline_origins').selectAll().where('pipeline_id', '=', pipelineId).executeTakeFirst();
  }
}
