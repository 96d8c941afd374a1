/**
 * `dmp-gateway send FILE` against a real listening gateway app (loopback HTTP, SQLite): single message, batch file
 * split into its messages with bytes unchanged, FHIR JSON, a refused message (exit 1), and an unreachable URL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { createApp } from '../../src/adapters/http/app.js';
import { reportRoutes } from '../../src/adapters/http/routes/reports.js';
import { sendCommand, splitHl7File } from '../../src/cli/commands/send.js';
import { sqliteTestDb, tempDir, type TestDb } from '../helpers/db.js';
import { httpDeps } from '../helpers/http-deps.js';
import { fixture, repoRoot } from '../unit/hl7v2/golden.js';

let t: TestDb;
let server: Server;
let url: string;
let token: string;

before(async () => {
  t = await sqliteTestDb();
  const h = httpDeps(t.db);
  token = (await h.deps.tokens.create('sil', 'sil', 'tok-sil', h.clock.now())).token;
  const app = createApp(h.deps, [reportRoutes]);
  server = await new Promise<Server>((ok) => {
    const s = app.listen(0, '127.0.0.1', () => ok(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
  await t.dispose();
});

const run = async (file: string, extra: Record<string, string> = {}): Promise<{ code: number; out: Record<string, unknown>[]; err: string[] }> => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await sendCommand.run(
    { values: { url, token, ...extra }, positionals: [file] },
    { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, cwd: repoRoot },
  );
  return { code, out: out.map((l) => JSON.parse(l) as Record<string, unknown>), err };
};

describe('dmp-gateway send', () => {
  it('sends one ORU and prints the transmission (202), then 200 for the same message', async () => {
    const a = await run('test/fixtures/hl7v2/04-serology.hl7');
    assert.equal(a.code, 0);
    assert.equal(a.out[0]?.['httpStatus'], 202);
    assert.equal(a.out[0]?.['status'], 'received');
    const b = await run('test/fixtures/hl7v2/04-serology.hl7');
    assert.equal(b.out[0]?.['httpStatus'], 200);
    assert.equal(b.out[0]?.['id'], a.out[0]?.['id']);
  });

  it('splits a batch file into its messages, bytes unchanged', async () => {
    const parts = splitHl7File(fixture('hl7v2', '16-batch.hl7'));
    assert.equal(parts.length, 2);
    assert.ok(parts.every((p) => p.toString('latin1').startsWith('MSH|')));
    assert.ok(fixture('hl7v2', '16-batch.hl7').includes(parts[1] as Buffer));
    const r = await run('test/fixtures/hl7v2/16-batch.hl7');
    assert.equal(r.code, 0);
    assert.deepEqual(r.out.map((o) => [o['httpStatus'], o['messageId']]), [[202, 'MSG-0016-1'], [202, 'MSG-0016-2']]);
    const raws = await t.db.query<{ raw: Buffer }>("SELECT raw FROM inbound_messages WHERE message_id LIKE 'MSG-0016-%' ORDER BY message_id");
    assert.ok(Buffer.from(raws[0]?.raw ?? []).equals(parts[0] as Buffer));
  });

  it('sends a FHIR bundle', async () => {
    const r = await run('test/fixtures/fhir/02-haematology-panel.json');
    assert.equal(r.code, 0);
    assert.equal(r.out[0]?.['httpStatus'], 202);
  });

  it('exits 1 and prints the issues when the gateway refuses the message', async () => {
    const dir = tempDir();
    const bad = path.join(dir, 'bad.hl7');
    writeFileSync(bad, fixture('hl7v2', '01-biochemistry-final.hl7').toString('utf8').replace('|19850714|', '|19850230|'));
    const r = await run(bad);
    assert.equal(r.code, 1);
    assert.equal(r.out[0]?.['httpStatus'], 422);
    assert.equal(r.out[0]?.['code'], 'HL7_DATE_INVALID');
    assert.equal((r.out[0]?.['issues'] as { path: string }[])[0]?.path, 'PID[1].7');
  });

  it('exits 1 with a clear message when the gateway cannot be reached or the file is missing', async () => {
    const r = await run('test/fixtures/hl7v2/04-serology.hl7', { url: 'http://127.0.0.1:1' });
    assert.equal(r.code, 1);
    assert.match(r.err[0] ?? '', /cannot reach http:\/\/127\.0\.0\.1:1/);
    const m = await run('no/such/file.hl7');
    assert.equal(m.code, 1);
    assert.match(m.err[0] ?? '', /no such file/);
  });
});
