/**
 * Test databases: a fresh SQLite file, or a fresh PostgreSQL schema on the CI server
 * (DMP_GATEWAY_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test). PostgreSQL tests fail,
 * never skip, when the server is down: .ci/run starts it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../../src/adapters/storage/db.js';
import { openSqlite } from '../../src/adapters/storage/sqlite.js';
import { openPostgres } from '../../src/adapters/storage/postgres.js';
import { migrate } from '../../src/adapters/storage/migrate.js';
import { migrations as allMigrations, type Migration } from '../../src/adapters/storage/migrations/index.js';

export const TEST_PG_URL = process.env['DMP_GATEWAY_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDb {
  readonly db: Db;
  /** Storage settings that open the same database again (for a second gateway instance or a child process). */
  readonly storage: { engine: 'sqlite' | 'postgres'; sqlitePath: string; databaseUrl?: string; schema: string };
  /** Closes and drops (PostgreSQL schema). */
  dispose(): Promise<void>;
}

export const tempDir = (prefix = 'dmp-gateway-test-'): string => mkdtempSync(join(tmpdir(), prefix));

/** `migrations`: the ones to apply (default: all), e.g. those before a migration under test. */
export async function sqliteTestDb(migrations: readonly Migration[] = allMigrations): Promise<TestDb> {
  const sqlitePath = join(tempDir(), 'gateway.db');
  const db = openSqlite(sqlitePath);
  await migrate(db, migrations);
  return { db, storage: { engine: 'sqlite', sqlitePath, schema: 'public' }, dispose: () => db.close() };
}

export async function postgresTestDb(migrations: readonly Migration[] = allMigrations): Promise<TestDb> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const db = await openPostgres({ url: TEST_PG_URL, schema });
  await migrate(db, migrations);
  return {
    db,
    storage: { engine: 'postgres', sqlitePath: '', databaseUrl: TEST_PG_URL, schema },
    async dispose() {
      await db.close();
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    },
  };
}

/** Both engines, for contract suites: `for (const engine of ENGINES) describe(engine.name, …)`. */
export const ENGINES: readonly { readonly name: 'sqlite' | 'postgres'; readonly open: (migrations?: readonly Migration[]) => Promise<TestDb> }[] = [
  { name: 'sqlite', open: sqliteTestDb },
  { name: 'postgres', open: postgresTestDb },
];
