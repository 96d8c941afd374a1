import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { transactionScopes, type Db, type Executor, type Row, type SqlValue } from './db.js';

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

export interface SqliteOptions {
  /**
   * Checkpoint the WAL from a thread of its own (checkpointer.mjs) instead of on the event loop. SQLite's automatic
   * checkpoint runs inside the commit that crosses 1000 WAL pages and fsyncs the database file there: a commit that
   * usually takes 0.3 ms then takes 10–30 ms, and everything else the process does waits (bench/README.md). With
   * the thread, the main connection's automatic checkpoint stays only as a backstop at `BACKSTOP_PAGES`. For the
   * long-running gateway; one-shot commands leave it off.
   */
  readonly checkpointThread?: boolean;
  /** How often the thread checkpoints, in ms (default 200). */
  readonly checkpointIntervalMs?: number;
}

/** SQLite's default automatic checkpoint threshold, in WAL pages. */
const DEFAULT_AUTOCHECKPOINT = 1000;
/** With the checkpointer thread: the main connection checkpoints only if the WAL reaches this (64 MiB of 4 KiB pages). */
const BACKSTOP_PAGES = 16384;

const CHECKPOINTER = new URL('./checkpointer.mjs', import.meta.url);

/**
 * Starts the checkpointer thread (`script`: checkpointer.mjs; tests give one that fails); if it ever stops on its
 * own, the main connection's automatic checkpoint comes back. Returns the stop.
 */
export const startCheckpointer = (db: Database.Database, path: string, intervalMs: number, script: URL = CHECKPOINTER): (() => Promise<void>) => {
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  // A small heap: the thread allocates next to nothing (one statement, its result rows).
  const worker = new Worker(script, { workerData: { path, intervalMs }, resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 } });
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // An error in the thread ends it: the 'exit' below puts the automatic checkpoint back.
  worker.on('error', () => undefined);
  void exited.then(() => {
    if (!stopping && db.open) {
      db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    }
  });
  return async () => {
    stopping = true;
    worker.postMessage('stop');
    const timeout = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(timeout);
  };
};

/**
 * Embedded engine: better-sqlite3 (synchronous, in-process) in WAL mode. One connection per process;
 * the gateway's workers are async, so statements are serialised by a mutex and a transaction keeps
 * the connection until it commits.
 */
export function openSqlite(path: string, options: SqliteOptions = {}): Db {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const stopCheckpointer =
    options.checkpointThread === true && path !== ':memory:' ? startCheckpointer(db, path, options.checkpointIntervalMs ?? 200) : undefined;
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
  // Set inside a transaction's async context (its executor): its own statements run directly, everyone else waits.
  const inTransaction = new AsyncLocalStorage<Executor>();
  const inTx = (): boolean => inTransaction.getStore() !== undefined;
  return {
    engine: 'sqlite',
    query: (sql, params) => (inTx() ? direct.query(sql, params) : mutex.run(() => direct.query(sql, params))),
    execute: (sql, params) => (inTx() ? direct.execute(sql, params) : mutex.run(() => direct.execute(sql, params))),
    async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
      const outer = inTransaction.getStore();
      if (outer) {
        return fn(outer);
      }
      return mutex.run(async () => {
        // An executor of its own per transaction (the same statements as `direct`), so that what is kept with it ends with it.
        const tx: Executor = { query: <T extends Row>(sql: string, params?: readonly SqlValue[]) => direct.query<T>(sql, params), execute: (sql, params) => direct.execute(sql, params) };
        transactionScopes.add(tx);
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await inTransaction.run(tx, () => fn(tx));
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
    close: () =>
      mutex.run(async () => {
        await stopCheckpointer?.();
        db.close();
      }),
  };
}
