/**
 * `npm run bench [-- --json] [-- --pg]`: how fast, at what cost, against what bound (issue 9).
 * Prints a table (or one JSON object with --json). Figures are measured, never asserted in tests.
 */
import { cpus, totalmem } from 'node:os';
import { fmt, type Rate } from './measure.js';
import { cdaBuild, hl7Parse, rsaSignRate, storageCommit } from './components.js';
import { sqliteTestDb, postgresTestDb } from '../test/helpers/db.js';
import { endToEnd, SIGNATURES_PER_REPORT } from './e2e.js';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const withPg = args.has('--pg');
const skipE2e = args.has('--components');
const arg = (name: string, dflt: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : dflt;
};

const row = (name: string, r: Rate): string => `${name.padEnd(34)} ${fmt(r.perSecond).padStart(10)} /s   p50 ${fmt(r.p50Ms, 3).padStart(8)} ms   p99 ${fmt(r.p99Ms, 3).padStart(8)} ms`;

const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
const results: Record<string, unknown> = { machine };
const lines: string[] = [];

const rsa = await rsaSignRate();
results['rsaSign'] = rsa;
const bound = rsa.perSecond / SIGNATURES_PER_REPORT;
results['bound'] = { signaturesPerReport: SIGNATURES_PER_REPORT, reportsPerSecond: bound };
lines.push(row('RSA-2048 sign (node:crypto)', rsa), `bound: ${fmt(bound)} reports/s (${SIGNATURES_PER_REPORT} signatures per report)`);

const hl7 = await hl7Parse();
results['hl7Parse'] = hl7;
lines.push(row('HL7 tokenize, ours (eager)', hl7.ours), row('HL7 parse, @medplum/core', hl7.medplum), row('HL7 parse + map to LabReport, ours', hl7.oursFull), `HL7 ours / medplum: ${hl7.ratio.toFixed(2)}x`);

const cda = await cdaBuild();
results['cdaBuild'] = cda;
lines.push(row('CR-BIO CDA build', cda));

const sqlite = await sqliteTestDb();
const commitSqlite = await storageCommit(sqlite.db);
await sqlite.dispose();
results['storageCommitSqlite'] = commitSqlite;
lines.push(row('intake commit, SQLite (WAL)', commitSqlite));
if (withPg) {
  const pg = await postgresTestDb();
  const commitPg = await storageCommit(pg.db);
  await pg.dispose();
  results['storageCommitPostgres'] = commitPg;
  lines.push(row('intake commit, PostgreSQL', commitPg));
}

if (!skipE2e) {
  const e2e = await endToEnd({ pg: withPg, rate: arg('rate', 100), seconds: arg('seconds', 10), saturation: arg('saturation', 500) });
  results['endToEnd'] = e2e;
  results['ratio'] = { saturationOverBound: e2e.saturation.deliveredPerSecond / bound };
  lines.push(
    '',
    `end to end (${e2e.storage}), offered ${e2e.offered.ratePerSecond}/s × ${e2e.offered.reports}: delivered ${fmt(e2e.offered.deliveredPerSecond)}/s, p50 ${fmt(e2e.offered.latency.p50Ms)} ms, p95 ${fmt(e2e.offered.latency.p95Ms)} ms, p99 ${fmt(e2e.offered.latency.p99Ms)} ms`,
    `end to end (${e2e.storage}), saturation × ${e2e.saturation.reports}: ${fmt(e2e.saturation.deliveredPerSecond)} reports/s, p50 ${fmt(e2e.saturation.latency.p50Ms)} ms, p99 ${fmt(e2e.saturation.latency.p99Ms)} ms`,
    `end to end ÷ bound: ${(e2e.saturation.deliveredPerSecond / bound).toFixed(2)}   gateway peak RSS ${e2e.peakRssMiB} MiB`,
  );
}

if (json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  console.log(`dmp-gateway benchmark on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}\n`);
  console.log(lines.join('\n'));
}
