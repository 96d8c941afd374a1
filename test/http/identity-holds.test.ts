/**
 * Identity holds through the real pipeline pieces (storage, processing, delivery to a DMP route) and the
 * HTTP routes: a non-QUAL report never reaches the DMP; releasing its hold with the qualified identity sends
 * it; confirmations only lift review reasons; rejects end it; every decision is audited.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type Koa from 'koa';
import { createApp } from '../../src/adapters/http/app.js';
import { identityHoldRoutes } from '../../src/adapters/http/routes/identity-holds.js';
import { OutboxStore } from '../../src/adapters/storage/outbox.js';
import { rowToAudit } from '../../src/adapters/storage/audit-store.js';
import { verifyChain } from '../../src/core/audit/chain.js';
import { processReceived, type ProcessDeps } from '../../src/app/outbox/process.js';
import { deliverOne, type DeliverDeps } from '../../src/app/outbox/deliver.js';
import { identityGateFor } from '../../src/app/identity-holds.js';
import type { LabReport } from '../../src/core/report/model.js';
import { sqliteTestDb, type TestDb } from '../helpers/db.js';
import { httpDeps } from '../helpers/http-deps.js';
import { FakeDmp } from '../helpers/fake-route.js';
import { sampleReport } from '../helpers/reports.js';
import { nirKey } from '../../src/core/ins/nir.js';

describe('identity holds (pipeline + HTTP)', () => {
  let t: TestDb;
  let h: ReturnType<typeof httpDeps>;
  let app: Koa;
  let outbox: OutboxStore;
  let dmp: FakeDmp;
  let p: ProcessDeps;
  let d: DeliverDeps;
  const tokens: Record<string, string> = {};
  let n = 0;

  before(async () => {
    t = await sqliteTestDb();
    h = httpDeps(t.db);
    for (const role of ['identity', 'compliance', 'sil'] as const) {
      tokens[role] = (await h.deps.tokens.create(role, role, `tok-${role}`, h.clock.now())).token;
    }
    app = createApp(h.deps, [identityHoldRoutes]);
    outbox = new OutboxStore(t.db);
    dmp = new FakeDmp();
    const ids = { uuid: () => randomUUID() };
    p = {
      db: t.db,
      transmissions: h.deps.transmissions,
      outbox,
      clock: h.clock,
      ids,
      identityGate: identityGateFor(h.config.ins),
      build: (_r, v) => Promise.resolve({ xml: `<ClinicalDocument><id root="${v.documentId}"/></ClinicalDocument>`, issues: [] }),
      validator: { validate: () => Promise.resolve([]) },
      formatTime: (x) => x.toISOString().replace('Z', '+00:00'),
    };
    d = { db: t.db, transmissions: h.deps.transmissions, outbox, route: dmp, clock: h.clock, ids, retry: { baseMs: 1000, maxDelayMs: 60000, maxAttempts: 4, maxAgeMs: 86400000 }, leaseMs: 30000, random: () => 0.5, owner: 'test' };
  });
  after(() => t.dispose());

  const submit = async (report: LabReport): Promise<string> => {
    n++;
    const r = await h.deps.transmissions.receive(
      { id: `in-${n}`, sender: report.sender, messageId: `M-${n}`, contentType: 'application/json', raw: Buffer.from(JSON.stringify(report)) },
      [{ id: `tr-${n}`, reportIndex: 0, accession: report.accessionNumber, insHash: report.patient.ins ? h.deps.subjectHash(report.patient.ins.value) : null, reportJson: JSON.stringify(report) }],
      { actor: 'sil:test' },
    );
    return r.transmissions[0]?.id ?? '';
  };
  const runPipeline = async (): Promise<void> => {
    const now = h.clock.now();
    for (const x of await outbox.claimReceived('p', now, new Date(now.getTime() + 1000), 100)) {
      await processReceived(p, x);
    }
    for (const x of await outbox.claim('test', now, new Date(now.getTime() + 30000), 100)) {
      await deliverOne(d, x);
    }
  };
  const status = async (id: string): Promise<string> => (await h.deps.transmissions.get(id))?.status ?? 'missing';
  const auth = (role: string) => ({ Authorization: `Bearer ${tokens[role]}` });

  it('a VALI report is held and never reaches the DMP; releasing it with the qualified identity sends it', async () => {
    const id = await submit(sampleReport({ accessionNumber: 'H-1' }, { status: 'VALI', evidence: { documentType: 'CNI' } }));
    await runPipeline();
    assert.equal(await status(id), 'identity_hold');
    assert.equal(dmp.submissions.length, 0);

    const list = await request(app.callback()).get('/v1/identity-holds').set(auth('identity')).expect(200);
    const hold = (list.body.items as { id: string; reasons: { code: string }[] }[]).find((x) => x.id === id);
    assert.deepEqual(hold?.reasons.map((r) => r.code), ['IDENTITY_NOT_QUALIFIED']);
    const one = await request(app.callback()).get(`/v1/identity-holds/${id}`).set(auth('identity')).expect(200);
    assert.equal(one.body.accession, 'H-1');
    assert.doesNotMatch(JSON.stringify(list.body), /PAT-TROIS|279035121518989|1979/);

    // A confirmation cannot lift a non-QUAL status.
    const c = await request(app.callback()).post(`/v1/identity-holds/${id}/release`).set(auth('identity')).send({ confirm: { codes: [] } }).expect(409);
    assert.equal(c.body.code, 'IDENTITY_STILL_NOT_QUALIFIED');
    // An update that is still not qualified is refused and audited.
    const base = sampleReport().patient;
    const still = await request(app.callback()).post(`/v1/identity-holds/${id}/release`).set(auth('identity')).send({ identity: { ...base, status: 'RECUP' } }).expect(409);
    assert.equal(still.body.issues[0].code, 'IDENTITY_NOT_QUALIFIED');
    assert.equal(await status(id), 'identity_hold');
    assert.equal(dmp.submissions.length, 0);

    // The SIL's qualified update: released, processed again through every gate, delivered.
    const ok = await request(app.callback()).post(`/v1/identity-holds/${id}/release`).set(auth('identity')).send({ identity: { ...base, status: 'QUAL', evidence: { documentType: 'CNI', checkedOn: '2026-03-01' } } }).expect(200);
    assert.equal(ok.body.status, 'received');
    await runPipeline();
    assert.equal(await status(id), 'delivered');
    assert.equal(dmp.submissions.length, 1);
    assert.equal(dmp.submissions[0]?.report.patient.status, 'QUAL');

    const audit = await t.db.query<{ type: string; outcome: string }>('SELECT type, outcome FROM audit_events WHERE transmission_id = ? ORDER BY seq', [id]);
    assert.deepEqual(audit.map((a) => `${a.type}:${a.outcome}`).slice(0, 5), ['report.received:success', 'identity.decision:failure', 'transmission.state:failure', 'identity.decision:failure', 'identity.hold.released:success']);
    assert.ok(audit.some((a) => a.type === 'identity.decision' && a.outcome === 'success'));
    assert.equal(verifyChain((await t.db.query('SELECT * FROM audit_events ORDER BY seq')).map(rowToAudit)), undefined);
  });

  it('a corrected identity naming another patient moves the transmission and its audit subject to that patient', async () => {
    // The SIL sent the report under a relative's INS, not yet qualified; the identity team corrects it.
    const wrong = sampleReport({ accessionNumber: 'H-4' }, { status: 'VALI', evidence: { documentType: 'CNI' } });
    const id = await submit(wrong);
    await runPipeline();
    assert.equal(await status(id), 'identity_hold');
    const before = h.deps.subjectHash(wrong.patient.ins?.value ?? '');
    assert.equal((await h.deps.transmissions.get(id))?.insHash, before);

    const right = `2790351215190${nirKey('2790351215190')}`;
    const identity = { ...sampleReport().patient, ins: { value: right, oid: '1.2.250.1.213.1.4.10' }, status: 'QUAL', evidence: { documentType: 'CNI', checkedOn: '2026-03-01' } };
    await request(app.callback()).post(`/v1/identity-holds/${id}/release`).set(auth('identity')).send({ identity }).expect(200);
    const after = h.deps.subjectHash(right);
    assert.notEqual(after, before);
    assert.equal((await h.deps.transmissions.get(id))?.insHash, after);
    const release = (await t.db.query<{ subject_hash: string; details: string }>("SELECT subject_hash, details FROM audit_events WHERE transmission_id = ? AND type = 'identity.hold.released'", [id]))[0];
    assert.equal(release?.subject_hash, after);
    assert.equal((JSON.parse(release?.details ?? '{}') as { previousSubjectHash?: string }).previousSubjectHash, before);

    await runPipeline();
    assert.equal(await status(id), 'delivered');
    assert.equal(dmp.submissions.at(-1)?.report.patient.ins?.value, right);
    // Every record from the release on is under the corrected patient; the earlier ones stay where they were.
    const subjects = await t.db.query<{ type: string; subject_hash: string }>('SELECT type, subject_hash FROM audit_events WHERE transmission_id = ? ORDER BY seq', [id]);
    const at = subjects.findIndex((r) => r.type === 'identity.hold.released');
    assert.ok(subjects.slice(0, at).every((r) => r.subject_hash === before), JSON.stringify(subjects));
    assert.ok(subjects.slice(at).every((r) => r.subject_hash === after), JSON.stringify(subjects));
  });

  it('review reasons (warnings) can be confirmed by staff, exactly; then the report goes on', async () => {
    const id = await submit(sampleReport({ accessionNumber: 'H-2' }, { birthDate: '1979-00-00' }));
    await runPipeline();
    assert.equal(await status(id), 'identity_hold');
    const wrong = await request(app.callback()).post(`/v1/identity-holds/${id}/release`).set(auth('identity')).send({ confirm: { codes: ['TRAIT_LIKELY_TYPO'] } }).expect(422);
    assert.equal(wrong.body.issues.length, 2);
    await request(app.callback()).post(`/v1/identity-holds/${id}/release`).set(auth('identity')).send({ confirm: { codes: ['NIR_MONTH_UNKNOWN_IN_TRAITS'] } }).expect(200);
    await runPipeline();
    assert.equal(await status(id), 'delivered');
    const released = await t.db.query<{ details: string; actor: string }>("SELECT details, actor FROM audit_events WHERE transmission_id = ? AND type = 'identity.hold.released'", [id]);
    assert.match(released[0]?.details ?? '', /staff_confirmation/);
    assert.equal(released[0]?.actor, 'user:tok-identity');
  });

  it('reject ends the hold; it cannot be decided twice; unknown ids and wrong roles are refused', async () => {
    const id = await submit(sampleReport({ accessionNumber: 'H-3' }, { attributes: ['DOUT'] }));
    await runPipeline();
    assert.equal(await status(id), 'identity_hold');
    await request(app.callback()).post(`/v1/identity-holds/${id}/reject`).set(auth('identity')).send({ reasonCode: 'NOPE' }).expect(400);
    const r = await request(app.callback()).post(`/v1/identity-holds/${id}/reject`).set(auth('identity')).send({ reasonCode: 'WRONG_PATIENT' }).expect(200);
    assert.equal(r.body.status, 'rejected');
    const again = await request(app.callback()).post(`/v1/identity-holds/${id}/reject`).set(auth('identity')).send({ reasonCode: 'WRONG_PATIENT' }).expect(409);
    assert.equal(again.body.code, 'IDENTITY_HOLD_NOT_PENDING');
    assert.equal((await request(app.callback()).post('/v1/identity-holds/nope/release').set(auth('identity')).send({ confirm: { codes: [] } }).expect(404)).body.code, 'IDENTITY_HOLD_NOT_FOUND');
    await request(app.callback()).post(`/v1/identity-holds/${id}/reject`).set(auth('sil')).send({ reasonCode: 'OTHER' }).expect(403);
    await request(app.callback()).post(`/v1/identity-holds/${id}/release`).set(auth('compliance')).send({ confirm: { codes: [] } }).expect(403);
    await request(app.callback()).get('/v1/identity-holds').set(auth('compliance')).expect(403);
    assert.equal((await request(app.callback()).get(`/v1/identity-holds/${id}`).set(auth('identity')).expect(404)).body.code, 'IDENTITY_HOLD_NOT_FOUND');
    const bad = await request(app.callback()).post(`/v1/identity-holds/${id}/release`).set(auth('identity')).send({ identity: { birthName: 'X', sex: 'Q' } }).expect(422);
    assert.ok((bad.body.issues as { path: string }[]).some((i) => i.path === '$.identity.sex'));
    const rej = await t.db.query<{ details: string }>("SELECT details FROM audit_events WHERE transmission_id = ? AND type = 'identity.hold.rejected'", [id]);
    assert.match(rej[0]?.details ?? '', /WRONG_PATIENT/);
    assert.equal(dmp.submissions.filter((s) => s.report.accessionNumber === 'H-3').length, 0);
  });
});
