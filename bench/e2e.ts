/**
 * End-to-end benchmark: the real path. A DMP simulator process and a gateway process (sandbox mode, real TLS,
 * real signatures, durable storage: SQLite, or PostgreSQL with --pg); the bench posts ORU messages over HTTP
 * and reads, from the gateway's database, when each was stored and when the DMP acknowledged it.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { tempDir, TEST_PG_URL } from '../test/helpers/db.js';
import { testPki } from '../test/helpers/pki.js';
import { gatewayEnv, oruMessage, postReport, sleep, startGatewayProcess, startSimulatorProcess, tokensOf } from '../test/helpers/gateway-process.js';
import { summarize, type Rate } from './measure.js';

/**
 * Signatures a report needs on the XDS route: the VIHF assertion (RSA-SHA256) and the XAdES submission-set
 * signature. mTLS adds a handshake signature per connection.
 */
export const SIGNATURES_PER_REPORT = 2;

export interface EndToEnd {
  readonly storage: 'sqlite' | 'postgres';
  readonly offered: { readonly ratePerSecond: number; readonly reports: number; readonly latency: Rate; readonly deliveredPerSecond: number };
  readonly saturation: { readonly reports: number; readonly deliveredPerSecond: number; readonly latency: Rate };
  readonly peakRssMiB: number;
}

const rssMiB = async (pid: number): Promise<number> => {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : 0;
};

type Row = { created_at: string; updated_at: string; status: string };

export async function endToEnd(options: { pg: boolean; rate: number; seconds: number; saturation: number }): Promise<EndToEnd> {
  const cwd = tempDir('dmp-gateway-bench-');
  cpSync(testPki().dir, join(cwd, 'data', 'pki'), { recursive: true });
  const sim = await startSimulatorProcess(cwd);
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const env = gatewayEnv(sim.url, {
    DMP_GATEWAY_LOG_LEVEL: 'error',
    DMP_GATEWAY_OUTBOX_POLL_MS: '10',
    DMP_GATEWAY_OUTBOX_MAX_PER_SECOND: '1000',
    DMP_GATEWAY_OUTBOX_CONCURRENCY: '16',
    DMP_GATEWAY_OUTBOX_LEASE_MS: '60000',
    ...(options.pg ? { DMP_GATEWAY_DATABASE_URL: TEST_PG_URL, DMP_GATEWAY_DATABASE_SCHEMA: schema, DMP_GATEWAY_AUDIT_SUBJECT_KEY: 'b'.repeat(40) } : {}),
  });
  const gw = await startGatewayProcess(cwd, env);
  const token = tokensOf(join(cwd, 'data'))['sil'] ?? '';
  let peak = 0;
  const sampler = setInterval(() => {
    void rssMiB(gw.child.proc.pid ?? 0).then((r) => (peak = Math.max(peak, r)));
  }, 200);

  const rows = async (): Promise<Row[]> => {
    if (options.pg) {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      const r = await c.query<Row>(`SELECT created_at, updated_at, status FROM "${schema}".transmissions`);
      await c.end();
      return r.rows;
    }
    const db = new Database(join(cwd, 'data', 'gateway.db'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT created_at, updated_at, status FROM transmissions').all() as Row[];
    } finally {
      db.close();
    }
  };
  const waitDelivered = async (n: number, limitMs: number): Promise<Row[]> => {
    const end = Date.now() + limitMs;
    let r = await rows();
    while (r.filter((x) => x.status === 'delivered').length < n && Date.now() < end) {
      await sleep(250);
      r = await rows();
    }
    return r;
  };
  const latencies = (r: Row[]): number[] => r.filter((x) => x.status === 'delivered').map((x) => Date.parse(x.updated_at) - Date.parse(x.created_at));

  try {
    // Warm up (JIT, TLS session, schema compile).
    for (let i = 0; i < 5; i++) {
      await postReport(gw.url, token, oruMessage(i, 'WARM'));
    }
    await waitDelivered(5, 60000);
    const before = new Set((await rows()).map((x) => x.created_at));

    // A fixed offered rate.
    const total = options.rate * options.seconds;
    const started = Date.now();
    const posts: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / options.rate;
      const wait = due - Date.now();
      if (wait > 0) {
        await sleep(wait);
      }
      posts.push(postReport(gw.url, token, oruMessage(i, 'RATE')));
    }
    await Promise.all(posts);
    const offeredRows = (await waitDelivered(total + 5, 600000)).filter((x) => !before.has(x.created_at));
    const offeredLat = latencies(offeredRows);
    const lastDelivered = Math.max(...offeredRows.map((x) => Date.parse(x.updated_at)));
    const offered = { ratePerSecond: options.rate, reports: total, latency: summarize(offeredLat, 1), deliveredPerSecond: offeredLat.length / ((lastDelivered - started) / 1000) };

    // Saturation: everything at once (64 requests in flight), then drain.
    const before2 = new Set((await rows()).map((x) => x.created_at));
    const s0 = Date.now();
    let next = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < options.saturation) {
        const i = next++;
        await postReport(gw.url, token, oruMessage(i, 'SAT'));
      }
    }));
    const satRows = (await waitDelivered(total + 5 + options.saturation, 900000)).filter((x) => !before2.has(x.created_at));
    const satLat = latencies(satRows);
    const satEnd = Math.max(...satRows.map((x) => Date.parse(x.updated_at)));
    return {
      storage: options.pg ? 'postgres' : 'sqlite',
      offered: { ...offered, latency: { ...summarize(offeredLat, 1), perSecond: offered.deliveredPerSecond } },
      saturation: { reports: options.saturation, deliveredPerSecond: satLat.length / ((satEnd - s0) / 1000), latency: summarize(satLat, 1) },
      peakRssMiB: Math.round(peak),
    };
  } finally {
    clearInterval(sampler);
    gw.child.kill('SIGKILL');
    sim.child.kill('SIGKILL');
    if (options.pg) {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  }
}
