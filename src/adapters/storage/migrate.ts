import type { Db } from './db.js';
import { migrations, type Migration } from './migrations/index.js';

/**
 * Applies pending migrations in order, each with its record in one transaction. On PostgreSQL an advisory
 * lock makes concurrent starts of several instances safe.
 */
export async function migrate(db: Db, list: readonly Migration[] = migrations): Promise<number[]> {
  await db.execute(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const applied: number[] = [];
  await db.transaction(async (tx) => {
    if (db.engine === 'postgres') {
      await tx.query('SELECT pg_advisory_xact_lock(7264001)');
    }
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    for (const m of [...list].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) {
        continue;
      }
      for (const sql of m.up(db.engine)) {
        await tx.execute(sql);
      }
      await tx.execute('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
      applied.push(m.version);
    }
  });
  return applied;
}
