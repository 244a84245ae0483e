/** @module Scheduled triggers. Firing is claimed with a guarded update on `next_run_at`. */
import type { Store } from './database.js';
import type { ScheduleTable } from './orb.schema.js';
import type { ProjectTable } from './schema.js';

export type ScheduleChanges = Partial<Pick<ScheduleTable, 'name' | 'description' | 'timetable' | 'cron' | 'actor_id' | 'parameters' | 'next_run_at' | 'updated_at'>>;

export class ScheduleRepository {
  constructor(private readonly store: Store) {}

  /** Inserts a schedule; false when the project already has one of that kind and name. */
  async create(row: ScheduleTable): Promise<boolean> {
    const result = await this.store.db.insertInto('schedules').values(row)
      .onConflict((oc) => oc.columns(['project_id', 'kind', 'name']).doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async getById(id: string): Promise<ScheduleTable | undefined> {
    return this.store.db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async getByName(input: { projectId: string; kind: ScheduleTable['kind']; name: string }): Promise<ScheduleTable | undefined> {
    return this.store.db.selectFrom('schedules').selectAll()
      .where('project_id', '=', input.projectId).where('kind', '=', input.kind).where('name', '=', input.name).executeTakeFirst();
  }

  async listByProject(projectId: string, kind: ScheduleTable['kind']): Promise<ScheduleTable[]> {
    return this.store.db.selectFrom('schedules').selectAll().where('project_id', '=', projectId).where('kind', '=', kind)
      .orderBy('created_at').orderBy('name').execute();
  }

  async update(id: string, changes: ScheduleChanges): Promise<void> {
    await this.store.db.updateTable('schedules').set(changes).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.store.db.deleteFrom('schedules').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Schedules whose `next_run_at` is at or before `now`, oldest first. */
  async listDue(now: string, limit: number): Promise<ScheduleTable[]> {
    return this.store.db.selectFrom('schedules').selectAll().where('next_run_at', '<=', now).orderBy('next_run_at').limit(limit).execute();
  }

  /**
   * Claims one firing: moves `next_run_at` from `due` to `next` only if it still is `due`.
   * Exactly one caller (replica) wins each firing; the others get false.
   */
  async claimFiring(input: { id: string; due: string; next: string; now: string }): Promise<boolean> {
    const result = await this.store.db.updateTable('schedules').set({ next_run_at: input.next, last_run_at: input.now })
      .where('id', '=', input.id).where('next_run_at', '=', input.due).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Projects the scheduler reads legacy `triggers: schedule` from (every project). */
  async listProjectsForSync(): Promise<ProjectTable[]> {
    return this.store.db.selectFrom('projects').selectAll().orderBy('created_at').execute();
  }
}
