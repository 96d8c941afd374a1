// The SQLite WAL checkpointer thread (see sqlite.ts, `checkpointThread`). Plain JavaScript: it needs nothing but
// better-sqlite3, so it starts without the TypeScript loader.
//
// It opens its own connection to the gateway's database and copies the WAL back into the database file with
// PASSIVE checkpoints (https://www.sqlite.org/pragma.html#pragma_wal_checkpoint): they never wait for a lock and
// never block writers; the fsync of the database file happens here, not on the main thread's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, intervalMs } = workerData;
const db = new Database(path);
db.pragma('busy_timeout = 5000');
// This connection never commits, so its own automatic checkpoints would never run; the main connection's are off.
let stopped = false;

const checkpoint = () => {
  // [{ busy, log, checkpointed }]: frames in the WAL and how many of them are now in the database file.
  const [row] = db.pragma('wal_checkpoint(PASSIVE)');
  return row;
};

const timer = setInterval(() => {
  if (!stopped) {
    try {
      checkpoint();
    } catch (e) {
      parentPort.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }
}, intervalMs);

parentPort.on('message', (m) => {
  if (m === 'checkpoint') {
    parentPort.postMessage({ type: 'checkpointed', result: checkpoint() });
  } else if (m === 'stop') {
    stopped = true;
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage({ type: 'ready' });
