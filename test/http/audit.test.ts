import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp } from '../../src/adapters/http/app.js';
import { routeModules } from '../../src/main.js';
import { ENGINES, type TestDb } from '../helpers/db.js';
import { httpDeps } from '../helpers/http-deps.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../helpers/pki.js';

const INS = '277076322082910';

for (const engine of ENGINES) {describe(`audit HTTP API (${engine.name})`, () => {
  let t: TestDb;
  let h: ReturnType<typeof httpDeps>;
  let app: ReturnType<typeof createApp>;
  const tok: Record<string, string> = {};
  before(async () => {
    t = await engine.open();
    h = httpDeps(t.db, { DMP_GATEWAY_AUDIT_SIGNATURE_P12: testPki().entities.structureSign.p12Path, DMP_GATEWAY_PKI_PASSPHRASE: TEST_PKI_PASSPHRASE });
    h.clock.advance(Date.now() - h.clock.now().getTime());
    app = createApp(h.deps, routeModules);
    for (const role of ['sil', 'identity', 'compliance', 'admin'] as const) {
      tok[role] = (await h.deps.tokens.create(role, role, `tok-${role}`, h.clock.now())).token;
    }
    const sh = h.deps.subjectHash(INS);
    await h.deps.audit({ type: 'report.received', actor: 'sil:lab', outcome: 'success', transmissionId: 'tx-1', subjectHash: sh, details: { rawSha256: 'ab' } });
    h.clock.advance(60_000);
    await h.deps.audit({ type: 'document.built', actor: 'system:worker', outcome: 'success', transmissionId: 'tx-1', subjectHash: sh, documentUniqueId: '1.2.250.1.999.1.1.7', details: { sha1: 'cd' } });
    h.clock.advance(60_000);
    await h.deps.audit({ type: 'delivery.outcome', actor: 'system:worker', outcome: 'failure', transmissionId: 'tx-2', details: { code: 'DMP_UNAVAILABLE, "retry"' } });
  });
  after(() => t.dispose());
  const get = (path: string, role = 'compliance') => request(app.callback()).get(path).set('Authorization', `Bearer ${tok[role] ?? ''}`);

  it('verify: intact, then a signed checkpoint, then an edited record is named', async () => {
    let r = await get('/v1/audit/verify');
    assert.equal(r.status, 200);
    assert.equal(r.body.ok, true);
    assert.equal(r.body.checkpoints, 0);
    r = await request(app.callback()).post('/v1/audit/checkpoints').set('Authorization', `Bearer ${tok['compliance'] ?? ''}`);
    assert.equal(r.status, 201);
    assert.equal(typeof r.body.signature, 'string');
    r = await get('/v1/audit/verify');
    assert.equal(r.body.ok, true, JSON.stringify(r.body));
    assert.equal(r.body.checkpoints, 1);
    const seq = (await t.db.query<{ seq: number }>("SELECT seq FROM audit_events WHERE type = 'document.built'"))[0]?.seq;
    await t.db.execute("UPDATE audit_events SET outcome = 'failure' WHERE seq = ?", [Number(seq)]);
    r = await get('/v1/audit/verify');
    assert.equal(r.body.ok, false);
    assert.equal(r.body.firstBad.seq, Number(seq));
    assert.equal(r.body.firstBad.reason, 'hash_mismatch');
    await t.db.execute("UPDATE audit_events SET outcome = 'success' WHERE seq = ?", [Number(seq)]);
  });

  it('search by INS (keyed hash), transmission, document, type, outcome, time range; the INS search is audited', async () => {
    let r = await get(`/v1/audit?ins=${INS}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.items.map((i: { type: string }) => i.type), ['document.built', 'report.received']);
    assert.ok(!JSON.stringify(r.body).includes(INS), 'the INS itself is never stored or returned');
    const reads = await t.db.query("SELECT actor, subject_hash FROM audit_events WHERE type = 'user.read'");
    assert.equal(reads.length, 1);
    assert.equal(reads[0]?.['actor'], 'user:tok-compliance');
    assert.equal(reads[0]?.['subject_hash'], h.deps.subjectHash(INS));
    r = await get('/v1/audit?transmission=tx-2');
    assert.deepEqual(r.body.items.map((i: { type: string }) => i.type), ['delivery.outcome']);
    r = await get('/v1/audit?document=1.2.250.1.999.1.1.7');
    assert.deepEqual(r.body.items.map((i: { transmissionId: string }) => i.transmissionId), ['tx-1']);
    r = await get('/v1/audit?type=report.received,delivery.outcome&outcome=failure');
    assert.equal(r.body.items.length, 1);
    const first = (await t.db.query<{ at: string }>("SELECT at FROM audit_events WHERE type = 'document.built'"))[0]?.at ?? '';
    r = await get(`/v1/audit?from=${encodeURIComponent(first)}&type=report.received,document.built,delivery.outcome`);
    assert.deepEqual(r.body.items.map((i: { type: string }) => i.type), ['delivery.outcome', 'document.built']);
    r = await get(`/v1/audit?to=${encodeURIComponent(first)}&type=report.received,document.built,delivery.outcome`);
    assert.deepEqual(r.body.items.map((i: { type: string }) => i.type), ['report.received']);
  });

  it('cursor pagination walks every record once', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const r = await get(`/v1/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...r.body.items.map((x: { seq: number }) => x.seq));
      cursor = r.body.nextCursor;
      if (!cursor) {
        break;
      }
    }
    const total = (await t.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM audit_events'))[0]?.n;
    assert.equal(seen.length, Number(total));
    assert.deepEqual([...seen].sort((a, b) => b - a), seen, 'newest first');
    assert.equal(new Set(seen).size, seen.length);
  });

  it('bad parameters are all listed', async () => {
    const r = await get('/v1/audit?from=yesterday&type=nope&outcome=meh&ins=123&limit=9999');
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.issues.map((i: { path: string }) => i.path).sort(), ['from', 'ins', 'limit', 'outcome', 'type']);
  });

  it('exports CSV, JSON lines and FHIR AuditEvent', async () => {
    let r = await get('/v1/audit/export?format=csv&transmission=tx-2').buffer(true).parse((res, cb) => {
      let s = '';
      res.on('data', (d: Buffer) => (s += d.toString()));
      res.on('end', () => cb(null, s));
    });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /text\/csv/);
    const lines = String(r.body).trimEnd().split('\r\n');
    assert.equal(lines[0], 'seq,id,at,type,actor,outcome,transmissionId,subjectHash,documentUniqueId,details,prevHash,hash');
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? '', /,"\{""code"":""DMP_UNAVAILABLE, \\""retry\\""""\}",/, 'quotes and commas escaped per RFC 4180');
    r = await get(`/v1/audit/export?format=jsonl&ins=${INS}`).buffer(true).parse((res, cb) => {
      let s = '';
      res.on('data', (d: Buffer) => (s += d.toString()));
      res.on('end', () => cb(null, s));
    });
    const recs = String(r.body).trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; details: unknown });
    // The earlier INS search and this export are themselves reads of this patient's data, so they are in it too.
    assert.deepEqual(recs.map((x) => x.type), ['report.received', 'document.built', 'user.read', 'user.read']);
    assert.deepEqual(recs[1]?.details, { sha1: 'cd' });
    r = await get('/v1/audit/export?format=fhir&transmission=tx-1');
    assert.match(String(r.headers['content-type']), /application\/fhir\+json/);
    const bundle = JSON.parse(r.text) as { resourceType: string; entry: { resource: Record<string, unknown> }[] };
    assert.equal(bundle.resourceType, 'Bundle');
    const built = bundle.entry[1]?.resource as { action: string; type: { code: string }; entity: { what: { identifier: { system: string; value: string } } }[]; meta: { profile: string[] }; outcome: string };
    assert.equal(built.action, 'C');
    assert.equal(built.outcome, '0');
    assert.match(built.meta.profile[0] ?? '', /IHE\.BasicAudit\.PatientCreate$/);
    assert.deepEqual(built.entity.map((e) => e.what.identifier.system).slice(0, 3), ['urn:dmp-gateway:ins-keyed-hash', 'urn:dmp-gateway:transmission', 'urn:ietf:rfc:3986']);
    assert.equal(built.entity[2]?.what.identifier.value, 'urn:oid:1.2.250.1.999.1.1.7');
    assert.equal((await get('/v1/audit/export?format=pdf')).status, 400);
  });
});}
