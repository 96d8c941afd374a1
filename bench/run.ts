/**
 * `npm run bench [-- --json] [-- --pg]`: how fast, at what cost, against what bound (issue 9).
 * Prints a table (or one JSON object with --json). Figures are measured, never asserted in tests.
 * `--memory`: the memory part only (queue, then drain); see bench/README.md for every option.
 */
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fmt, type Rate } from './measure.js';
import { cdaBuild, conformanceGate, deliverySignatures, hl7Parse, mtomEncoding, rsaSignRate, storageCommit, xsdValidation } from './components.js';
import { ANS_KIT } from '../test/helpers/gateway-process.js';
import { sqliteTestDb, postgresTestDb, tempDir } from '../test/helpers/db.js';
import { openSqlite } from '../src/adapters/storage/sqlite.js';
import { migrate } from '../src/adapters/storage/migrate.js';
import { endToEnd, SIGNATURES_PER_REPORT, type OfferedRun } from './e2e.js';
import { memoryBenchmark } from './memory.js';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const withPg = args.has('--pg');
const memoryOnly = args.has('--memory');
const skipE2e = args.has('--components') || memoryOnly;
const arg = (name: string, dflt: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : dflt;
};

const row = (name: string, r: Rate): string => `${name.padEnd(34)} ${fmt(r.perSecond).padStart(10)} /s   p50 ${fmt(r.p50Ms, 3).padStart(8)} ms   p99 ${fmt(r.p99Ms, 3).padStart(8)} ms`;

const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
const results: Record<string, unknown> = { machine };
const lines: string[] = [];

let bound = 0;
if (!memoryOnly) {
  const rsa = await rsaSignRate();
  results['rsaSign'] = rsa;
  bound = rsa.perSecond / SIGNATURES_PER_REPORT;
  results['bound'] = { signaturesPerReport: SIGNATURES_PER_REPORT, reportsPerSecond: bound };
  lines.push(row('RSA-2048 sign (node:crypto)', rsa), `bound: ${fmt(bound)} reports/s (${SIGNATURES_PER_REPORT} signatures per report)`);

  const hl7 = await hl7Parse();
  results['hl7Parse'] = hl7;
  lines.push(row('HL7 tokenize, ours (eager)', hl7.ours), row('HL7 parse, @medplum/core', hl7.medplum), row('HL7 parse + map to LabReport, ours', hl7.oursFull), `HL7 ours / medplum: ${hl7.ratio.toFixed(2)}x`);

  const cda = await cdaBuild();
  results['cdaBuild'] = cda;
  lines.push(row('CR-BIO CDA build', cda));

  const xsd = await xsdValidation(ANS_KIT);
  results['xsdValidation'] = xsd;
  lines.push(row('CDA XSD validation (libxml2-wasm)', xsd));
  const gate = await conformanceGate(ANS_KIT);
  results['conformanceGate'] = gate;
  lines.push(row('conformance gate (rules + XSD)', gate.rulesAndXsd), row('conformance gate (rules, no kit)', gate.rulesOnly));
  const sigs = await deliverySignatures();
  results['signatures'] = sigs;
  lines.push(row('VIHF sign (libxml2 C14N, RSA)', sigs.vihf), row('XAdES submission-set sign', sigs.xades));
  const mtom = await mtomEncoding();
  results['mtomEncoding'] = mtom;
  lines.push(row('SOAP + MTOM packaging', mtom));

  const sqlite = await sqliteTestDb();
  const commitSqliteInline = await storageCommit(sqlite.db);
  await sqlite.dispose();
  results['storageCommitSqliteInlineCheckpoints'] = commitSqliteInline;
  lines.push(row('intake commit, SQLite (WAL), checkpoints in the commits', commitSqliteInline));
  // As the gateway runs it: WAL checkpoints in a thread of their own.
  const threaded = openSqlite(join(tempDir(), 'gateway.db'), { checkpointThread: true });
  await migrate(threaded);
  const commitSqlite = await storageCommit(threaded);
  await threaded.close();
  results['storageCommitSqlite'] = commitSqlite;
  lines.push(row('intake commit, SQLite (WAL), checkpointer thread (as served)', commitSqlite));
  if (withPg) {
    const pg = await postgresTestDb();
    const commitPg = await storageCommit(pg.db);
    await pg.dispose();
    results['storageCommitPostgres'] = commitPg;
    lines.push(row('intake commit, PostgreSQL', commitPg));
  }
}

if (!skipE2e) {
  const e2eNodeArgs = process.argv.find((x) => x.startsWith('--e2e-gateway-node-args='))?.slice('--e2e-gateway-node-args='.length).split(/\s+/).filter(Boolean);
  const e2e = await endToEnd({ pg: withPg, rate: arg('rate', 100), seconds: arg('seconds', 10), warmupSeconds: arg('warmup', 10), repeat: Math.max(1, arg('repeat', 1)), saturation: arg('saturation', 500), waitSeconds: arg('wait', 300), ...(e2eNodeArgs ? { nodeArgs: e2eNodeArgs } : {}) });
  results['endToEnd'] = e2e;
  results['ratio'] = {
    deliveredOverBound: e2e.saturation.deliveredPerSecond / bound,
    // What the gateway's own CPU per report allows on this machine's cores, over the bound.
    gatewayCpuCapacityOverBound: (machine.cpus * 1000) / (e2e.cpuMsPerReport.gateway || 1) / bound,
  };
  const offeredLines = (what: string, o: OfferedRun): string[] => [
    `end to end (${e2e.storage}), ${what}, offered ${o.ratePerSecond}/s × ${o.reports}: intake ${fmt(o.intake.perSecond)}/s (HTTP p50 ${fmt(o.intake.p50Ms)} ms, p99 ${fmt(o.intake.p99Ms)} ms); delivered ${o.delivered} at ${fmt(o.deliveredPerSecond)}/s`,
    `    POST→DMP p50 ${fmt(o.submitToDmp.p50Ms)} ms, p95 ${fmt(o.submitToDmp.p95Ms)} ms, p99 ${fmt(o.submitToDmp.p99Ms)} ms; stored→DMP p50 ${fmt(o.delivery.p50Ms)} ms, p95 ${fmt(o.delivery.p95Ms)} ms, p99 ${fmt(o.delivery.p99Ms)} ms`,
  ];
  lines.push(
    '',
    ...(e2e.coldStart ? offeredLines('cold start (the warm-up, just after the gateway started)', e2e.coldStart) : []),
    ...offeredLines('warm', e2e.offered),
    ...(e2e.repeats ? [`    the warm run ${e2e.repeats.length + 1} times: POST→DMP p99 ${[e2e.offered, ...e2e.repeats].map((r) => fmt(r.submitToDmp.p99Ms)).join(', ')} ms; p50 ${[e2e.offered, ...e2e.repeats].map((r) => fmt(r.submitToDmp.p50Ms)).join(', ')} ms`] : []),
    `end to end (${e2e.storage}), saturation × ${e2e.saturation.reports}: intake ${fmt(e2e.saturation.intakePerSecond)}/s; delivered ${e2e.saturation.delivered} at ${fmt(e2e.saturation.deliveredPerSecond)}/s, p50 ${fmt(e2e.saturation.delivery.p50Ms)} ms, p99 ${fmt(e2e.saturation.delivery.p99Ms)} ms`,
    `CPU per delivered report: gateway ${fmt(e2e.cpuMsPerReport.gateway, 2)} ms, DMP simulator ${fmt(e2e.cpuMsPerReport.simulator, 2)} ms, bench client ${fmt(e2e.cpuMsPerReport.client, 2)} ms (the ${SIGNATURES_PER_REPORT} RSA signatures: ${fmt((1000 * SIGNATURES_PER_REPORT) / (bound * SIGNATURES_PER_REPORT), 2)} ms); ${machine.cpus} cores would carry at most ${fmt((machine.cpus * 1000) / (e2e.cpuMsPerReport.gateway + e2e.cpuMsPerReport.simulator + e2e.cpuMsPerReport.client))} reports/s with all three on them, ${fmt((machine.cpus * 1000) / e2e.cpuMsPerReport.gateway)} reports/s for the gateway alone`,
    `delivered ÷ bound: ${(e2e.saturation.deliveredPerSecond / bound).toFixed(2)}   gateway peak RSS ${e2e.peakRssMiB} MiB`,
  );
}

const queued = arg('queued', 100000);
if (queued > 0 && !args.has('--components')) {
  const n = (x: number): string => x.toLocaleString('en-US');
  const drainWait = arg('drain-wait', 1800);
  const nodeOptions = process.argv.find((x) => x.startsWith('--gateway-node-options='))?.slice('--gateway-node-options='.length);
  const m = await memoryBenchmark({ pg: withPg, queued, drain: arg('drain', 2000), waitSeconds: drainWait, ...(nodeOptions ? { nodeOptions } : {}) });
  results['memory'] = m;
  const q = m.queue;
  lines.push(
    ...(lines.length ? [''] : []),
    `memory (${m.storage}${m.nodeOptions ? `, gateway NODE_OPTIONS="${m.nodeOptions}"` : ''}), gateway idle after start: RSS ${m.idleRssMiB} MiB`,
    `memory, ${n(q.reports)} reports queued (delivery paused; posted ${q.inFlight} in flight in ${fmt(q.seconds)} s, ${fmt(q.perSecond)}/s, ${q.failed} failed): RSS ${q.rssMiB} MiB, peak ${q.peakRssMiB} MiB`,
  );
  const d = m.drain;
  if (d) {
    const what = d.leftQueued > 0 ? `the first ${n(d.reports)} of the ${n(q.reports)} queued (the other ${n(d.leftQueued)} left queued, leased to another instance)` : `all ${n(d.reports)} queued`;
    lines.push(
      `memory, after the drain of ${what}: ${d.complete ? '' : `NOT COMPLETE after ${drainWait} s, `}${n(d.done)} done (${n(d.delivered)} delivered) in ${fmt(d.seconds)} s, ${fmt(d.deliveredPerSecond)}/s; RSS ${d.rssAtEndMiB} MiB at the end, ${d.rssMiB} MiB ${d.settleSeconds} s later; peak during the drain ${d.peakRssMiB} MiB`,
    );
  }
}

if (json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  console.log(`dmp-gateway benchmark on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}\n`);
  console.log(lines.join('\n'));
}
