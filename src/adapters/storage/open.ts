import type { Config } from '../../config/config.js';
import type { Db } from './db.js';
import { migrate } from './migrate.js';
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';

/**
 * Opens the configured engine and brings its schema up to date. `serving`: for the long-running gateway (SQLite's
 * WAL is then checkpointed by a thread of its own, off the event loop); one-shot commands leave it out.
 */
export async function openStorage(storage: Config['storage'], opts: { readonly serving?: boolean } = {}): Promise<Db> {
  const db =
    storage.engine === 'postgres'
      ? await openPostgres({ url: storage.databaseUrl ?? '', schema: storage.schema })
      : openSqlite(storage.sqlitePath, { checkpointThread: opts.serving === true });
  await migrate(db);
  return db;
}
