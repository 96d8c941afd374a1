import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { transactionScopes, type Db, type Executor, type Row, type SqlValue } from './db.js';

/** `?` placeholders to `$1, $2, …` (outside quoted strings). */
export const numberPlaceholders = (sql: string): string => {
  let n = 0;
  let out = '';
  let quoted = false;
  for (const ch of sql) {
    if (ch === "'") {
      quoted = !quoted;
    }
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  return out;
};

/**
 * numberPlaceholders, remembered: the gateway's statements are a bounded set (IN lists vary only with the batch
 * size), and each report runs dozens of them. Emptied past 500, as SQLite's statement cache.
 */
const numbered = new Map<string, string>();
const pgSql = (sql: string): string => {
  let out = numbered.get(sql);
  if (out === undefined) {
    out = numberPlaceholders(sql);
    if (numbered.size >= 500) {
      numbered.clear();
    }
    numbered.set(sql, out);
  }
  return out;
};

// BIGINT counts come back as strings by default; the gateway's counters fit in a double.
pg.types.setTypeParser(20, (v: string) => Number(v));

export interface PostgresOptions {
  readonly url: string;
  /** Schema holding the tables (created if missing); tests use one schema each. */
  readonly schema: string;
  readonly maxConnections?: number;
}

/**
 * Shared engine: PostgreSQL through a pg pool. Several gateway instances may use the same database;
 * workers claim rows with FOR UPDATE SKIP LOCKED.
 */
export async function openPostgres(options: PostgresOptions): Promise<Db> {
  const schema = options.schema;
  // search_path is set at connection start, so no query pays an extra round trip for it.
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10, options: `-c search_path="${schema}"` });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries report their own errors.
  });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  const withClient = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const c = await pool.connect();
    try {
      return await fn(c);
    } finally {
      c.release();
    }
  };
  const exec = (c: pg.PoolClient | pg.Pool): Executor => ({
    async query<T extends Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
      const r = await c.query(pgSql(sql), params as unknown[]);
      return r.rows as T[];
    },
    async execute(sql: string, params: readonly SqlValue[] = []): Promise<number> {
      const r = await c.query(pgSql(sql), params as unknown[]);
      return r.rowCount ?? 0;
    },
  });
  const current = new AsyncLocalStorage<Executor>();
  return {
    engine: 'postgres',
    query: (sql, params) => current.getStore()?.query(sql, params) ?? exec(pool).query(sql, params),
    execute: (sql, params) => current.getStore()?.execute(sql, params) ?? exec(pool).execute(sql, params),
    async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
      const outer = current.getStore();
      if (outer) {
        return fn(outer);
      }
      return withClient(async (c) => {
        await c.query('BEGIN');
        const tx = exec(c);
        transactionScopes.add(tx);
        try {
          const result = await current.run(tx, () => fn(tx));
          await c.query('COMMIT');
          return result;
        } catch (e) {
          await c.query('ROLLBACK').catch(() => undefined);
          throw e;
        }
      });
    },
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}
