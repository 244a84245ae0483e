/**
 * @module Opens the database behind a URL: `sqlite:<path>` (embedded default, better-sqlite3) or
 * `postgres://…` (scale-out). Both run the same migrations and the same repositories.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { AppError } from '../shared/errors.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/** An open database: the Kysely handle plus what differs between dialects. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** The URL without credentials, for logs. */
  readonly displayUrl: string;
  close(): Promise<void>;
}

// int8 (counts, bigint columns) as JS numbers: every value Kiln stores fits in 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

export function parseDatabaseUrl(url: string): { dialect: Dialect; target: string } {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { dialect: 'postgres', target: url };
  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', target: url.slice('sqlite:'.length) };
  throw new AppError('bad_request', `Unsupported database URL "${url.replace(/\/\/[^@/]*@/, '//***@')}": use sqlite:<path> or postgres://…`);
}

/** Opens (creating if needed) the database and brings its schema up to date. */
export async function openStore(url: string): Promise<Store> {
  const { dialect, target } = parseDatabaseUrl(url);
  const db = dialect === 'sqlite' ? openSqlite(target) : openPostgres(target);
  const store: Store = {
    db,
    dialect,
    displayUrl: url.replace(/\/\/[^@/]*@/, '//***@'),
    close: () => db.destroy(),
  };
  await migrate(store);
  return store;
}

function openSqlite(path: string): Kysely<Database> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

function openPostgres(url: string): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // A dropped connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

async function migrate(store: Store): Promise<void> {
  const migrator = new Migrator({ db: store.db, provider, migrationTableName: 'kiln_migrations', migrationLockTableName: 'kiln_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError('internal', `Database migration ${failed} failed: ${(error as Error).message}`);
  }
}
