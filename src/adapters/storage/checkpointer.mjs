// The SQLite WAL checkpointer thread (see sqlite.ts, `checkpointThread`). Plain JavaScript: it needs nothing but
// better-sqlite3, so it starts without the TypeScript loader.
//
// It opens its own connection to the gateway's database and copies the WAL back into the database file with
// PASSIVE checkpoints (https://www.sqlite.org/pragma.html#pragma_wal_checkpoint): they never wait for a lock and
// never block writers; the fsync of the database file happens here, not on the main thread's event loop.
// If a checkpoint fails, the thread ends: the main connection then takes its automatic checkpoints back.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, intervalMs } = workerData;
const db = new Database(path);
db.pragma('busy_timeout = 5000');

const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    // Uncaught in the thread: it ends with an 'error' event, and the main connection takes its checkpoints back.
    clearInterval(timer);
    throw e;
  }
}, intervalMs);

parentPort.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
