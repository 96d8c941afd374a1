/**
 * SQLite's WAL checkpointed by a thread of its own (openSqlite `checkpointThread`), so that no commit on the event
 * loop pays for a checkpoint. Observed on the files: what is in the database file and what is still in the WAL.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../../src/adapters/storage/db.js';
import Database from 'better-sqlite3';
import { openSqlite, startCheckpointer } from '../../../src/adapters/storage/sqlite.js';
import { tempDir } from '../../helpers/db.js';

const PAGE = 4096;
/** WAL frames: a 32-byte header, then 24 bytes + one page per frame. */
const walFrames = (path: string): number => (existsSync(`${path}-wal`) ? Math.max(0, (statSync(`${path}-wal`).size - 32) / (PAGE + 24)) : 0);
const fileSize = (path: string): number => statSync(path).size;

/** One commit per row of ~3 KB: each writes its own frames to the WAL. */
const writeRows = async (db: Db, from: number, count: number): Promise<void> => {
  for (let i = from; i < from + count; i++) {
    await db.execute('INSERT INTO t (id, body) VALUES (?, ?)', [i, Buffer.alloc(3000, i % 251)]);
  }
};

const open = async (options: Parameters<typeof openSqlite>[1]): Promise<{ db: Db; path: string }> => {
  const path = join(tempDir(), 'gateway.db');
  const db = openSqlite(path, options);
  await db.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
  return { db, path };
};

const waitFor = async (what: string, ok: () => boolean, ms = 10_000): Promise<void> => {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) {
      assert.fail(`timed out waiting for ${what}`);
    }
    await sleep(25);
  }
};

describe('SQLite WAL checkpointer thread', () => {
  it('without it, frames below the automatic threshold stay in the WAL until a commit crosses it', async () => {
    const { db, path } = await open({});
    try {
      await writeRows(db, 0, 300);
      await sleep(500);
      assert.ok(walFrames(path) >= 300, `WAL frames ${walFrames(path)}`);
      assert.ok(fileSize(path) < 100 * 1024, `database file ${fileSize(path)} bytes`);
    } finally {
      await db.close();
    }
  });

  it('copies the WAL into the database file on its own, with no commit to trigger it', async () => {
    const { db, path } = await open({ checkpointThread: true, checkpointIntervalMs: 50 });
    try {
      await writeRows(db, 0, 300);
      // 300 rows of 3 KB: ~1 MB once in the database file.
      await waitFor('the rows in the database file', () => fileSize(path) > 900 * 1024);
      const [row] = await db.query<{ n: number }>('SELECT count(*) AS n FROM t');
      assert.equal(row?.n, 300);
    } finally {
      await db.close();
    }
  });

  it('if the thread fails, the main connection takes its automatic checkpoints back', async () => {
    const path = join(tempDir(), 'gateway.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
    const autocheckpoint = (): unknown => db.pragma('wal_autocheckpoint', { simple: true });
    // A thread that fails as checkpointer.mjs does when a checkpoint throws: an uncaught error, then its exit.
    const failing = new URL(`data:text/javascript,${encodeURIComponent("setTimeout(() => { throw new Error('checkpoint failed'); }, 200);")}`);
    const stop = startCheckpointer(db, path, 50, failing);
    try {
      assert.equal(autocheckpoint(), 16384, 'while the thread runs, the main connection checkpoints only as a backstop');
      await waitFor('the automatic checkpoint back', () => autocheckpoint() === 1000);
      // And it works: past 1000 WAL pages, a commit checkpoints into the database file.
      const insert = db.prepare('INSERT INTO t (id, body) VALUES (?, ?)');
      for (let i = 0; i < 1300; i++) {
        insert.run(i, Buffer.alloc(3000, i % 251));
      }
      assert.ok(fileSize(path) > 2 * 1024 * 1024, `database file ${fileSize(path)} bytes: no commit checkpointed`);
    } finally {
      await stop();
      db.close();
    }
  });

  it('takes checkpoints off the commits: past 1000 WAL pages the main connection still does not checkpoint', async () => {
    // An interval no test waits for: only the main connection could checkpoint during the writes.
    const { db, path } = await open({ checkpointThread: true, checkpointIntervalMs: 3_600_000 });
    try {
      await writeRows(db, 0, 1300);
      assert.ok(walFrames(path) > 1000, `WAL frames ${walFrames(path)}`);
      assert.ok(fileSize(path) < 100 * 1024, `database file ${fileSize(path)} bytes: a commit checkpointed`);
    } finally {
      await db.close();
    }
    // Closed cleanly: thread stopped, last connection checkpointed, WAL removed, every row in the file.
    assert.equal(existsSync(`${path}-wal`), false);
    assert.ok(fileSize(path) > 3 * 1024 * 1024, `database file ${fileSize(path)} bytes`);
    const again = openSqlite(path);
    try {
      const [row] = await again.query<{ n: number; s: number }>('SELECT count(*) AS n, sum(length(body)) AS s FROM t');
      assert.deepEqual(row, { n: 1300, s: 1300 * 3000 });
    } finally {
      await again.close();
    }
  });
});
