import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Db, Executor, Row, SqlValue } from './db.js';

/** Serialises access to the one SQLite connection: a transaction holds it until it ends. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async run<T>(fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = this.tail;
    this.tail = prev.then(() => next);
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

const toParams = (params: readonly SqlValue[]): unknown[] => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));

/**
 * Embedded engine: better-sqlite3 (synchronous, in-process) in WAL mode. One connection per process;
 * the gateway's workers are async, so statements are serialised by a mutex and a transaction keeps
 * the connection until it commits.
 */
export function openSqlite(path: string): Db {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const mutex = new Mutex();
  const stmtCache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let s = stmtCache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      if (stmtCache.size > 500) {
        stmtCache.clear();
      }
      stmtCache.set(sql, s);
    }
    return s;
  };
  const direct: Executor = {
    query<T extends Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
      return Promise.resolve(prepare(sql).all(...toParams(params)) as T[]);
    },
    execute(sql: string, params: readonly SqlValue[] = []): Promise<number> {
      const st = prepare(sql);
      if (!st.reader) {
        return Promise.resolve(st.run(...toParams(params)).changes);
      }
      st.all(...toParams(params));
      return Promise.resolve(0);
    },
  };
  // Set inside a transaction's async context: its own statements run directly, everyone else waits.
  const inTransaction = new AsyncLocalStorage<boolean>();
  const inTx = (): boolean => inTransaction.getStore() === true;
  return {
    engine: 'sqlite',
    query: (sql, params) => (inTx() ? direct.query(sql, params) : mutex.run(() => direct.query(sql, params))),
    execute: (sql, params) => (inTx() ? direct.execute(sql, params) : mutex.run(() => direct.execute(sql, params))),
    async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
      if (inTx()) {
        return fn(direct);
      }
      return mutex.run(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await inTransaction.run(true, () => fn(direct));
          db.exec('COMMIT');
          return result;
        } catch (e) {
          if (db.inTransaction) {
            db.exec('ROLLBACK');
          }
          throw e;
        }
      });
    },
    ping: () => mutex.run(() => Promise.resolve(void db.prepare('SELECT 1').get())),
    close: () => mutex.run(() => Promise.resolve(void db.close())),
  };
}
