import type { Config } from '../../config/config.js';
import type { Db } from './db.js';
import { migrate } from './migrate.js';
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';

/** Opens the configured engine and brings its schema up to date. */
export async function openStorage(storage: Config['storage']): Promise<Db> {
  const db =
    storage.engine === 'postgres'
      ? await openPostgres({ url: storage.databaseUrl ?? '', schema: storage.schema })
      : openSqlite(storage.sqlitePath);
  await migrate(db);
  return db;
}
