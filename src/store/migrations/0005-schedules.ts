/**
 * @module Migration 0005-schedules: scheduled triggers (API schedules and legacy config
 * `triggers: schedule`) and setup-pipeline continuations with their hashed keys.
 */
import type { Kysely } from 'kysely';

// Migrations take Kysely<any>: they must not depend on today's schema types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('timetable', 'text')
    .addColumn('cron', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('parameters', 'text', (c) => c.notNull())
    .addColumn('workflow', 'text')
    .addColumn('next_run_at', 'text', (c) => c.notNull())
    .addColumn('last_run_at', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('schedules_name_unique', ['project_id', 'kind', 'name'])
    .execute();
  await db.schema.createIndex('schedules_due').on('schedules').columns(['next_run_at']).execute();

  await db.schema.createTable('pipeline_continuations')
    .addColumn('pipeline_id', 'text', (c) => c.primaryKey().references('pipelines.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('setup_parameters', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('continued_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('continuation_keys')
    .addColumn('key_hash', 'text', (c) => c.primaryKey())
    .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id').onDelete('cascade'))
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('continuation_keys_task').on('continuation_keys').columns(['task_id']).execute();
}
