/**
 * End-to-end benchmark: the real path. A DMP simulator process and a gateway process (sandbox mode, real TLS,
 * real signatures, durable storage: SQLite, or PostgreSQL with --pg); the bench posts ORU messages over HTTP
 * and reads, from the gateway's database, when each was stored and when the DMP acknowledged it.
 */
import { cpSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { tempDir, TEST_PG_URL } from '../test/helpers/db.js';
import { testPki } from '../test/helpers/pki.js';
import { gatewayEnv, oruMessage, sleep, startGatewayProcess, startSimulatorProcess, tokensOf } from '../test/helpers/gateway-process.js';
import { summarize, type Rate } from './measure.js';
import { cpuSeconds } from './cpu.js';

/**
 * Signatures a report needs on the XDS route: the VIHF assertion (RSA-SHA256) and the XAdES submission-set
 * signature. mTLS adds a handshake signature per connection.
 */
export const SIGNATURES_PER_REPORT = 2;

export interface EndToEnd {
  readonly storage: 'sqlite' | 'postgres';
  /**
   * A fixed offered rate, on a warm gateway: intake (HTTP 202), delivery (stored → DMP acknowledgement) and the
   * whole path (the client's POST → DMP acknowledgement).
   */
  readonly offered: OfferedRun;
  /**
   * The warm-up: the same rate for `--warmup` seconds on the gateway just started (cold code: V8 and the wasm of
   * libxml2 compile their hot functions as they go), before the measured run. Absent with `--warmup=0`.
   */
  readonly coldStart?: OfferedRun;
  /** `--repeat` above 1: the measured run again, as many times more, one after the other (its spread). */
  readonly repeats?: readonly OfferedRun[];
  /** Everything at once (64 in flight): what the whole path sustains. */
  readonly saturation: { readonly reports: number; readonly intakePerSecond: number; readonly delivered: number; readonly deliveredPerSecond: number; readonly delivery: Rate };
  readonly peakRssMiB: number;
  /**
   * CPU time per delivered report in the saturation run (all threads, from /proc): the gateway, the DMP simulator,
   * and the bench client posting the reports. Unlike the rates, it does not depend on what else the machine runs.
   */
  readonly cpuMsPerReport: { readonly gateway: number; readonly simulator: number; readonly client: number };
}

export interface OfferedRun {
  readonly ratePerSecond: number;
  readonly reports: number;
  readonly intake: Rate;
  readonly delivered: number;
  readonly deliveredPerSecond: number;
  /** Stored (the transmission's created_at) → DMP acknowledgement recorded (updated_at when delivered). */
  readonly delivery: Rate;
  /** The client's POST (when it started) → DMP acknowledgement recorded: the end-to-end latency. */
  readonly submitToDmp: Rate;
}

const rssMiB = async (pid: number): Promise<number> => {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : 0;
};

type Row = { accession: string; created_at: string; updated_at: string; status: string };

/**
 * One POST /v1/reports with node:http on a keep-alive agent: the SIL's side costs ~1 ms of CPU per report this way,
 * against ~5 with fetch (undici), and it runs on the same cores as the gateway.
 */
const postWith = (agent: Agent, url: string, token: string, body: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const bytes = Buffer.from(body, 'utf8');
    const req = request(`${url}/v1/reports`, { method: 'POST', agent, headers: { 'content-type': 'application/hl7-v2', 'content-length': bytes.length, authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(bytes);
  });

/** Posts `count` reports, at most `inFlight` at a time, each not before its due time (if `rate`); client-side latencies. */
export const postAll = async (url: string, token: string, tag: string, count: number, inFlight: number, rate?: number): Promise<{ latencies: number[]; seconds: number; failed: number; submittedAt: Map<string, number> }> => {
  const latencies: number[] = [];
  /** When each POST started (epoch ms), by the report's accession number (ORC-2 / OBR-2 of oruMessage). */
  const submittedAt = new Map<string, number>();
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  let failed = 0;
  let next = 0;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < count) {
      const i = next++;
      if (rate) {
        const wait = t0 + (i * 1000) / rate - Date.now();
        if (wait > 0) {
          await sleep(wait);
        }
      }
      const s0 = performance.now();
      submittedAt.set(`ACC-${tag}-${i}`, Date.now());
      try {
        if ((await postWith(agent, url, token, oruMessage(i, tag))) !== 202) {
          failed++;
        }
      } catch {
        failed++;
      }
      latencies.push(performance.now() - s0);
    }
  }));
  agent.destroy();
  return { latencies, seconds: (Date.now() - t0) / 1000, failed, submittedAt };
};

/**
 * A bench's setting: a data folder with the test PKI, a DMP simulator process, and the gateway's environment
 * (sandbox against that simulator, quiet logs, its own poll interval, no rate limit in the way; PostgreSQL in a schema of
 * its own with `pg`). The gateway itself is started by the caller.
 */
export const benchSetting = async (prefix: string, pg: boolean, extraEnv: Record<string, string> = {}, simNodeArgs: readonly string[] = []): Promise<{ cwd: string; sim: Awaited<ReturnType<typeof startSimulatorProcess>>; schema: string; env: Record<string, string> }> => {
  const cwd = tempDir(prefix);
  cpSync(testPki().dir, join(cwd, 'data', 'pki'), { recursive: true });
  const sim = await startSimulatorProcess(cwd, simNodeArgs);
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const env = gatewayEnv(sim.url, {
    DMP_GATEWAY_LOG_LEVEL: 'error',
    DMP_GATEWAY_OUTBOX_MAX_PER_SECOND: '1000',
    DMP_GATEWAY_OUTBOX_CONCURRENCY: '16',
    DMP_GATEWAY_OUTBOX_LEASE_MS: '60000',
    ...(pg ? { DMP_GATEWAY_DATABASE_URL: TEST_PG_URL, DMP_GATEWAY_DATABASE_SCHEMA: schema, DMP_GATEWAY_AUDIT_SUBJECT_KEY: 'b'.repeat(40) } : {}),
    ...extraEnv,
  });
  return { cwd, sim, schema, env };
};

export async function endToEnd(options: { pg: boolean; rate: number; seconds: number; warmupSeconds: number; repeat: number; saturation: number; waitSeconds: number; nodeArgs?: readonly string[] }): Promise<EndToEnd> {
  const { cwd, sim, schema, env } = await benchSetting('dmp-gateway-bench-', options.pg);
  const gw = await startGatewayProcess(cwd, env, options.nodeArgs);
  const token = tokensOf(join(cwd, 'data'))['sil'] ?? '';
  let peak = 0;
  const sampler = setInterval(() => {
    void rssMiB(gw.child.proc.pid ?? 0).then((r) => (peak = Math.max(peak, r)));
  }, 200);

  const rows = async (): Promise<Row[]> => {
    if (options.pg) {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      const r = await c.query<Row>(`SELECT accession, created_at, updated_at, status FROM "${schema}".transmissions`);
      await c.end();
      return r.rows;
    }
    const db = new Database(join(cwd, 'data', 'gateway.db'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT accession, created_at, updated_at, status FROM transmissions').all() as Row[];
    } finally {
      db.close();
    }
  };
  const waitDelivered = async (n: number, limitMs: number): Promise<Row[]> => {
    const end = Date.now() + limitMs;
    let r = await rows();
    while (r.filter((x) => x.status === 'delivered').length < n && Date.now() < end) {
      await sleep(500);
      r = await rows();
    }
    return r;
  };
  const delivery = (r: Row[]): number[] => r.filter((x) => x.status === 'delivered').map((x) => Date.parse(x.updated_at) - Date.parse(x.created_at));
  const span = (r: Row[], from: number): number => (Math.max(...r.filter((x) => x.status === 'delivered').map((x) => Date.parse(x.updated_at))) - from) / 1000;

  let expected = 0;
  /** `seconds` at the offered rate, then waits for their deliveries. */
  const offeredRun = async (tag: string, seconds: number): Promise<OfferedRun> => {
    const reports = Math.round(options.rate * seconds);
    expected += reports;
    const t0 = Date.now();
    const posts = await postAll(gw.url, token, tag, reports, 64, options.rate);
    const r = (await waitDelivered(expected, options.waitSeconds * 1000)).filter((x) => x.accession.startsWith(`ACC-${tag}-`));
    const delivered = r.filter((x) => x.status === 'delivered');
    const whole = delivered.flatMap((x) => {
      const sent = posts.submittedAt.get(x.accession);
      return sent === undefined ? [] : [Date.parse(x.updated_at) - sent];
    });
    return {
      ratePerSecond: options.rate,
      reports,
      intake: summarize(posts.latencies, posts.seconds),
      delivered: delivered.length,
      deliveredPerSecond: delivered.length / span(r, t0),
      delivery: summarize(delivery(r), span(r, t0)),
      submitToDmp: summarize(whole, span(r, t0)),
    };
  };

  try {
    await postAll(gw.url, token, 'WARM', 5, 1);
    expected = 5;
    await waitDelivered(expected, 60000);
    const coldStart = options.warmupSeconds > 0 ? await offeredRun('COLD', options.warmupSeconds) : undefined;
    const offered = await offeredRun('RATE', options.seconds);
    const repeats: OfferedRun[] = [];
    for (let k = 2; k <= options.repeat; k++) {
      repeats.push(await offeredRun(`RATE${k}`, options.seconds));
    }
    const total = expected;

    const t1 = Date.now();
    const cpu0 = { gateway: await cpuSeconds(gw.child.proc.pid ?? 0), simulator: await cpuSeconds(sim.child.proc.pid ?? 0), client: process.cpuUsage() };
    const satPosts = await postAll(gw.url, token, 'SAT', options.saturation, 64);
    const satRows = (await waitDelivered(total + options.saturation, options.waitSeconds * 1000)).filter((x) => x.accession.startsWith('ACC-SAT-'));
    const satDelivery = delivery(satRows);
    const clientCpu = process.cpuUsage(cpu0.client);
    const perReport = (seconds: number): number => (satDelivery.length > 0 ? (seconds * 1000) / satDelivery.length : 0);
    const cpuMsPerReport = {
      gateway: perReport((await cpuSeconds(gw.child.proc.pid ?? 0)) - cpu0.gateway),
      simulator: perReport((await cpuSeconds(sim.child.proc.pid ?? 0)) - cpu0.simulator),
      client: perReport((clientCpu.user + clientCpu.system) / 1e6),
    };

    const result: EndToEnd = {
      storage: options.pg ? 'postgres' : 'sqlite',
      offered,
      ...(coldStart ? { coldStart } : {}),
      ...(repeats.length > 0 ? { repeats } : {}),
      saturation: {
        reports: options.saturation,
        intakePerSecond: options.saturation / satPosts.seconds,
        delivered: satDelivery.length,
        deliveredPerSecond: satDelivery.length / span(satRows, t1),
        delivery: summarize(satDelivery, span(satRows, t1)),
      },
      peakRssMiB: Math.round(peak),
      cpuMsPerReport,
    };
    return result;
  } finally {
    clearInterval(sampler);
    if (options.nodeArgs?.length) {
      // Given node options (a profiler, say): a graceful stop, so that node writes what they produce at exit.
      gw.child.kill('SIGTERM');
      await Promise.race([gw.child.exited(), sleep(30_000)]);
    }
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
