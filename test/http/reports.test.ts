/**
 * POST /v1/reports over real storage (SQLite and PostgreSQL): 202 once stored in one transaction (raw bytes, report,
 * transmission `received`, audit), 200 with the same id for the same sender + message id, problem+json with issues
 * and nothing stored for a bad message, 503 and nothing stored when the store fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp } from '../../src/adapters/http/app.js';
import { reportRoutes } from '../../src/adapters/http/routes/reports.js';
import { parseHl7v2 } from '../../src/adapters/hl7v2/parse.js';
import type { LabReport } from '../../src/core/report/model.js';
import { postgresTestDb, sqliteTestDb, type TestDb } from '../helpers/db.js';
import { httpDeps } from '../helpers/http-deps.js';
import { fixture } from '../unit/hl7v2/golden.js';
import { BAD_CASES } from '../unit/hl7v2/bad-cases.js';

const HL7 = fixture('hl7v2', '01-biochemistry-final.hl7');
const LATIN1 = fixture('hl7v2', '08-latin1.hl7');
const FHIR = fixture('fhir', '01-biochemistry-final.json');
const BAD = Buffer.from(HL7.toString('utf8').replace('|19850714|M|', '|19851399|M|').replace('MSG-0001', 'MSG-BAD'));

const counts = async (t: TestDb): Promise<{ inbound: number; transmissions: number }> => ({
  inbound: Number((await t.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM inbound_messages'))[0]?.n),
  transmissions: Number((await t.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM transmissions'))[0]?.n),
});

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`POST /v1/reports (${engine})`, () => {
    let t: TestDb;
    let h: ReturnType<typeof httpDeps>;
    let app: ReturnType<typeof createApp>;
    const tok: Record<string, string> = {};
    before(async () => {
      t = engine === 'sqlite' ? await sqliteTestDb() : await postgresTestDb();
      h = httpDeps(t.db);
      app = createApp(h.deps, [reportRoutes]);
      for (const role of ['sil', 'identity'] as const) {
        tok[role] = (await h.deps.tokens.create(role, role, `tok-${role}`, h.clock.now())).token;
      }
    });
    after(() => t.dispose());
    const post = (body: Buffer, type: string, role = 'sil') =>
      request(app.callback()).post('/v1/reports').set('Authorization', `Bearer ${tok[role] ?? ''}`).set('Content-Type', type).send(type.includes('json') ? body.toString('utf8') : body);

    it('stores an ORU^R01: raw bytes, report, transmission `received` and its audit record, then 202', async () => {
      const r = await post(HL7, 'application/hl7-v2');
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.equal(r.body.status, 'received');
      assert.equal(r.body.duplicate, false);
      assert.equal(r.headers['location'], `/v1/transmissions/${r.body.id as string}`);
      const tx = await h.deps.transmissions.get(r.body.id as string);
      assert.ok(tx);
      assert.equal(tx.status, 'received');
      assert.equal(tx.accession, 'ACC-2026-0001');
      assert.equal(tx.insHash, h.deps.subjectHash('185076912304596'));
      const stored = JSON.parse(tx.reportJson ?? '{}') as LabReport;
      assert.deepEqual(stored, JSON.parse(JSON.stringify(parseHl7v2(HL7, { labOid: h.deps.config.lab.oid ?? '' }).report)) as LabReport);
      const raw = await h.deps.transmissions.rawOf(tx.inboundId);
      assert.ok(raw?.equals(HL7), 'the raw bytes are kept as received');
      const audit = await t.db.query<{ type: string; transmission_id: string }>("SELECT type, transmission_id FROM audit_events WHERE type = 'report.received'");
      assert.deepEqual(audit.map((a) => a.transmission_id), [r.body.id]);
    });

    it('answers 200 with the same id for the same sender + message id, storing nothing more', async () => {
      const before = await counts(t);
      const first = await post(HL7, 'x-application/hl7-v2+er7');
      assert.equal(first.status, 200);
      assert.equal(first.body.duplicate, true);
      const again = await post(HL7, 'application/hl7-v2');
      assert.equal(again.body.id, first.body.id);
      assert.deepEqual(await counts(t), before);
    });

    it('counts what it received in dmp_gateway_reports_received_total', async () => {
      const value = async (outcome: string): Promise<number> => Number((await h.deps.metrics.reportsReceived.get()).values.find((v) => v.labels['outcome'] === outcome && v.labels['format'] === 'hl7v2')?.value ?? 0);
      const [accepted, duplicate, rejected] = [await value('accepted'), await value('duplicate'), await value('rejected')];
      assert.ok(accepted >= 1, 'the first test stored one');
      await post(HL7, 'application/hl7-v2');
      await post(Buffer.from('not hl7 at all'), 'application/hl7-v2');
      assert.equal(await value('accepted'), accepted);
      assert.equal(await value('duplicate'), duplicate + 1);
      assert.equal(await value('rejected'), rejected + 1);
    });

    it('keeps Latin-1 bytes as they came and reads them right', async () => {
      const r = await post(LATIN1, 'application/hl7-v2');
      assert.equal(r.status, 202);
      const tx = await h.deps.transmissions.get(r.body.id as string);
      assert.ok((await h.deps.transmissions.rawOf(tx?.inboundId ?? ''))?.equals(LATIN1));
      assert.equal((JSON.parse(tx?.reportJson ?? '{}') as LabReport).patient.birthName, 'LEFÈVRE');
    });

    it('takes a FHIR Bundle (application/fhir+json), idempotent on Bundle.identifier', async () => {
      const r = await post(FHIR, 'application/fhir+json');
      assert.equal(r.status, 202, JSON.stringify(r.body));
      const again = await post(FHIR, 'application/fhir+json');
      assert.equal(again.status, 200);
      assert.equal(again.body.id, r.body.id);
      assert.equal((JSON.parse((await h.deps.transmissions.get(r.body.id as string))?.reportJson ?? '{}') as LabReport).sourceFormat, 'fhir');
    });

    it('refuses a bad message with problem+json naming code and path, storing nothing', async () => {
      const before = await counts(t);
      const rejectedBefore = (await t.db.query("SELECT id FROM audit_events WHERE type = 'report.rejected'")).length;
      const r = await post(BAD, 'application/hl7-v2');
      assert.equal(r.status, 422);
      assert.match(r.headers['content-type'] ?? '', /application\/problem\+json/);
      assert.equal(r.body.code, 'HL7_DATE_INVALID');
      assert.deepEqual(r.body.issues[0], { severity: 'error', code: 'HL7_DATE_INVALID', path: 'PID[1].7', message: 'PID-7 birth date is invalid: month 13 does not exist.' });
      assert.ok(!JSON.stringify(r.body).includes('MARTIN'));
      assert.deepEqual(await counts(t), before);
      const rejected = await t.db.query<{ details: string }>("SELECT details FROM audit_events WHERE type = 'report.rejected' ORDER BY seq");
      assert.equal(rejected.length, rejectedBefore + 1);
      assert.match(rejected.at(-1)?.details ?? '', /HL7_DATE_INVALID/);
    });

    it('refuses non-JSON FHIR (400), unknown media types (415), a too-large body (413)', async () => {
      const before = await counts(t);
      assert.equal((await post(Buffer.from('not json'), 'application/fhir+json')).body.code, 'FHIR_NOT_JSON');
      const u = await post(HL7, 'text/plain');
      assert.equal(u.status, 415);
      const big = await post(Buffer.alloc(h.deps.config.http.bodyLimitBytes + 10, 0x41), 'application/hl7-v2');
      assert.equal(big.status, 413);
      assert.deepEqual(await counts(t), before);
    });

    it('refuses every message of the bad-input corpus with its code, storing nothing', async () => {
      const before = await counts(t);
      for (const c of BAD_CASES) {
        const body = typeof c.input === 'string' ? Buffer.from(c.input, 'utf8') : c.input;
        const r = await post(body, 'application/hl7-v2');
        assert.ok(r.status >= 400 && r.status < 500, `${c.name}: ${r.status}`);
        assert.equal(r.body.code, c.code, `${c.name}: ${JSON.stringify(r.body)}`);
      }
      assert.deepEqual(await counts(t), before);
    });

    it('needs a sil token (401 without, 403 with another role)', async () => {
      assert.equal((await request(app.callback()).post('/v1/reports').set('Content-Type', 'application/hl7-v2').send(HL7)).status, 401);
      assert.equal((await post(HL7, 'application/hl7-v2', 'identity')).status, 403);
    });

    it('answers 503 and stores nothing when the store fails mid-transaction', async () => {
      const before = await counts(t);
      const other = Buffer.from(HL7.toString('utf8').replace('MSG-0001', 'MSG-FAIL'));
      await t.db.execute('ALTER TABLE transmissions RENAME TO transmissions_off');
      try {
        const r = await post(other, 'application/hl7-v2');
        assert.equal(r.status, 503);
        assert.equal(r.body.code, 'STORAGE_UNAVAILABLE');
      } finally {
        await t.db.execute('ALTER TABLE transmissions_off RENAME TO transmissions');
      }
      assert.deepEqual(await counts(t), before, 'the inbound row was rolled back with the failed transmission insert');
      const ok = await post(other, 'application/hl7-v2');
      assert.equal(ok.status, 202);
    });
  });
}
