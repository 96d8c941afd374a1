/**
 * Memory benchmark (issue 9): the RSS of a real gateway process (sandbox mode, durable storage) idle after start,
 * with N reports queued while delivery is paused, and after the drain once delivery is on again.
 *
 * - queue: the gateway runs with the outbox off (DMP_GATEWAY_OUTBOX_ENABLED=false: nothing is built or sent,
 *   as when the DMP is unreachable for a long time); `queued` ORU messages are posted over HTTP, `inFlight` at a
 *   time. RSS once they are all stored, and the process's peak (VmHWM) over its whole life.
 * - drain: the gateway is restarted with the outbox on, against the DMP simulator. When `drain` is smaller than
 *   `queued`, all but the first `drain` reports (oldest first, the order the workers take them) are first leased
 *   to another, fictitious instance until the year 9999: they stay queued in the database, and this instance's
 *   workers leave them alone, as they would leave another instance's work. RSS once the drained ones are all
 *   done (delivered, or stopped by a gate) and `settleSeconds` later, and the peak over the drain.
 *
 * Every figure is /proc/<pid>/status of the gateway process (VmRSS, VmHWM); nothing is sampled in-process.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { TEST_PG_URL } from '../test/helpers/db.js';
import { sleep, startGatewayProcess, tokensOf } from '../test/helpers/gateway-process.js';
import { benchSetting, postAll } from './e2e.js';

export interface MemoryOptions {
  readonly pg: boolean;
  readonly queued: number;
  /** Reports delivered in the drain phase: the first `drain` of the queued (all of them when ≥ queued). */
  readonly drain: number;
  /** Most seconds to wait for the drain. */
  readonly waitSeconds: number;
  /** Posts in flight while queueing. */
  readonly inFlight?: number;
  /** Seconds between the end of the drain and the reading of RSS. */
  readonly settleSeconds?: number;
  /** NODE_OPTIONS of the gateway process (e.g. a heap bound), to measure its effect; none by default. */
  readonly nodeOptions?: string;
}

export interface MemoryResult {
  readonly storage: 'sqlite' | 'postgres';
  readonly nodeOptions?: string;
  /** RSS of the gateway idle, 2 s after it started listening (outbox off). */
  readonly idleRssMiB: number;
  readonly queue: { readonly reports: number; readonly failed: number; readonly inFlight: number; readonly seconds: number; readonly perSecond: number; readonly rssMiB: number; readonly peakRssMiB: number };
  readonly drain?: {
    /** Reports the drain was asked to process (the first ones of the queue). */
    readonly reports: number;
    /** Left queued in the database, leased to another instance. */
    readonly leftQueued: number;
    /** Of `reports`, how many reached a final state, and how many of them the DMP acknowledged. */
    readonly done: number;
    readonly delivered: number;
    /** False when `waitSeconds` ran out first. */
    readonly complete: boolean;
    readonly seconds: number;
    readonly deliveredPerSecond: number;
    readonly rssAtEndMiB: number;
    readonly settleSeconds: number;
    readonly rssMiB: number;
    readonly peakRssMiB: number;
  };
}

const FENCE_OWNER = 'bench-other-instance';
const FINAL_STATES = ['delivered', 'quarantined', 'identity_hold', 'opposed', 'rejected', 'failed'];

/** VmRSS and VmHWM (peak) of a process, in MiB. */
export const processMemory = (pid: number): { rssMiB: number; peakMiB: number } => {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rssMiB: 0, peakMiB: 0 };
  }
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
};

const round = (n: number): number => Math.round(n);

export async function memoryBenchmark(options: MemoryOptions): Promise<MemoryResult> {
  const inFlight = options.inFlight ?? 64;
  const settleSeconds = options.settleSeconds ?? 10;
  const { cwd, sim, schema, env } = await benchSetting('dmp-gateway-bench-memory-', options.pg, options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {});
  const table = options.pg ? `"${schema}".transmissions` : 'transmissions';
  /** One statement on the gateway's database, from outside the gateway (the bench's own connection). */
  const sql = async <T extends Record<string, unknown>>(text: string, params: readonly (string | number)[] = []): Promise<T[]> => {
    if (options.pg) {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      try {
        let i = 0;
        return (await c.query<T>(text.replace(/\?/g, () => `$${++i}`), [...params])).rows;
      } finally {
        await c.end();
      }
    }
    const reading = /^\s*SELECT/i.test(text);
    const db = new Database(join(cwd, 'data', 'gateway.db'), { fileMustExist: true, readonly: reading, timeout: 5000 });
    try {
      const st = db.prepare(text);
      if (reading) {
        return st.all(...params) as T[];
      }
      st.run(...params);
      return [];
    } finally {
      db.close();
    }
  };

  let gw = await startGatewayProcess(cwd, { ...env, DMP_GATEWAY_OUTBOX_ENABLED: 'false' });
  try {
    const token = tokensOf(join(cwd, 'data'))['sil'] ?? '';
    await sleep(2000);
    const idle = processMemory(gw.child.proc.pid ?? 0);

    // Queue: delivery paused, `queued` reports stored.
    const posted = await postAll(gw.url, token, 'QUEUE', options.queued, inFlight);
    const queued = processMemory(gw.child.proc.pid ?? 0);
    const queue = {
      reports: options.queued,
      failed: posted.failed,
      inFlight,
      seconds: posted.seconds,
      perSecond: options.queued / posted.seconds,
      rssMiB: round(queued.rssMiB),
      peakRssMiB: round(queued.peakMiB),
    };
    const result: MemoryResult = { storage: options.pg ? 'postgres' : 'sqlite', ...(options.nodeOptions ? { nodeOptions: options.nodeOptions } : {}), idleRssMiB: round(idle.rssMiB), queue };
    if (options.drain <= 0) {
      return result;
    }

    // Drain: outbox on; all but the first `drain` leased away to another instance first.
    gw.child.kill('SIGTERM');
    await gw.child.exited();
    const drain = Math.min(options.drain, options.queued);
    const leftQueued = options.queued - drain;
    if (leftQueued > 0) {
      await sql(
        `UPDATE ${table} SET lease_owner = ?, lease_until = ? WHERE status = 'received'
           AND id NOT IN (SELECT id FROM ${table} WHERE status = 'received' ORDER BY created_at, id LIMIT ${drain})`,
        [FENCE_OWNER, '9999-12-31T00:00:00.000Z'],
      );
    }
    gw = await startGatewayProcess(cwd, { ...env, DMP_GATEWAY_OUTBOX_ENABLED: 'true' });
    const pid = gw.child.proc.pid ?? 0;
    const t0 = Date.now();
    const finals = FINAL_STATES.map((s) => `'${s}'`).join(', ');
    let done = 0;
    let delivered = 0;
    let lastChange = Date.now();
    while (done < drain && Date.now() - t0 < options.waitSeconds * 1000) {
      await sleep(1000);
      const r = (await sql<{ done: number | string; delivered: number | string | null }>(`SELECT count(*) AS done, sum(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered FROM ${table} WHERE status IN (${finals})`))[0];
      const d = Number(r?.done ?? 0);
      if (d !== done) {
        lastChange = Date.now();
      }
      done = d;
      delivered = Number(r?.delivered ?? 0);
    }
    const seconds = (lastChange - t0) / 1000;
    const atEnd = processMemory(pid);
    await sleep(settleSeconds * 1000);
    const settled = processMemory(pid);
    return {
      ...result,
      drain: {
        reports: drain,
        leftQueued,
        done,
        delivered,
        complete: done >= drain,
        seconds,
        deliveredPerSecond: seconds > 0 ? delivered / seconds : 0,
        rssAtEndMiB: round(atEnd.rssMiB),
        settleSeconds,
        rssMiB: round(settled.rssMiB),
        peakRssMiB: round(settled.peakMiB),
      },
    };
  } finally {
    gw.child.kill('SIGKILL');
    sim.child.kill('SIGKILL');
    await Promise.all([gw.child.exited(), sim.child.exited()]);
    // 100,000 queued reports are ~0.9 GB of SQLite database.
    rmSync(cwd, { recursive: true, force: true });
    if (options.pg) {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  }
}
