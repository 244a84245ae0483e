/** @module Migration 0002-secrets: groups, sessions, login throttling, encrypted variables, contexts, SSH keys, project security settings. */
import type { Kysely } from 'kysely';

// Migrations take Kysely<any>: they must not depend on today's schema types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('org_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('org_groups_org_name', ['org_id', 'name'])
    .execute();

  await db.schema.createTable('org_group_members')
    .addColumn('group_id', 'text', (c) => c.notNull().references('org_groups.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('org_group_members_user').on('org_group_members').column('user_id').execute();

  await db.schema.createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('login_failures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_failures_key').on('login_failures').columns(['email', 'ip', 'at']).execute();

  await db.schema.createTable('project_env_vars')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_env_vars_pk', ['project_id', 'name'])
    .execute();

  await db.schema.createTable('contexts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('contexts_org_name', ['org_id', 'name'])
    .execute();

  await db.schema.createTable('context_env_vars')
    .addColumn('context_id', 'text', (c) => c.notNull().references('contexts.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('context_env_vars_pk', ['context_id', 'name'])
    .execute();

  await db.schema.createTable('context_restrictions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('context_id', 'text', (c) => c.notNull().references('contexts.id').onDelete('cascade'))
    .addColumn('restriction_type', 'text', (c) => c.notNull())
    .addColumn('restriction_value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('context_restrictions_context').on('context_restrictions').column('context_id').execute();

  await db.schema.createTable('checkout_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key_ciphertext', 'text', (c) => c.notNull())
    .addColumn('hostname', 'text')
    .addColumn('preferred', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('checkout_keys_project_fingerprint', ['project_id', 'fingerprint'])
    .execute();

  await db.schema.createTable('project_settings')
    .addColumn('project_id', 'text', (c) => c.primaryKey().references('projects.id'))
    .addColumn('fork_pr_secrets', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('known_hosts', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('pipeline_origins')
    .addColumn('pipeline_id', 'text', (c) => c.primaryKey().references('pipelines.id'))
    .addColumn('from_fork', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
