/**
 * Test databases: every store test runs on SQLite and on PostgreSQL (kysely's DIALECTS habit).
 * PostgreSQL comes from KILN_TEST_POSTGRES_URL (default: 127.0.0.1:5432, trust auth). Each call
 * creates a fresh database and drops it afterwards. Under CI=true an unreachable PostgreSQL
 * fails the run; elsewhere the PostgreSQL half is skipped with a note.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Dialect, type Store } from '../../src/store/index.js';

export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

const ADMIN_URL = process.env.KILN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  store: Store;
  drop(): Promise<void>;
}

let postgresReachable: Promise<boolean> | undefined;

export function isPostgresReachable(): Promise<boolean> {
  postgresReachable ??= (async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      if (process.env.CI) throw new Error(`PostgreSQL is required under CI but ${ADMIN_URL} is unreachable`);
      return false;
    }
  })();
  return postgresReachable;
}

/** Returns a skip reason for the given dialect, or false when it can run. */
export async function skipReason(dialect: Dialect): Promise<string | false> {
  if (dialect === 'postgres' && !(await isPostgresReachable())) return 'PostgreSQL not reachable (set KILN_TEST_POSTGRES_URL)';
  return false;
}

/** An empty, migrated URL for the dialect (the database is created; drop it with dropDatabaseUrl). */
export async function createDatabaseUrl(dialect: Dialect): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-db-'));
    return { url: `sqlite:${join(dir, 'kiln.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `kiln_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const { url, drop } = await createDatabaseUrl(dialect);
  const store = await openStore(url);
  return { url, store, drop: async () => { await store.close(); await drop(); } };
}
