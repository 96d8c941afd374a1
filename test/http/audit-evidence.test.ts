import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { createApp } from '../../src/adapters/http/app.js';
import { routeModules } from '../../src/main.js';
import { evidenceRoutes } from '../../src/adapters/http/routes/audit-evidence.js';
import { sqliteTestDb, type TestDb } from '../helpers/db.js';
import { httpDeps } from '../helpers/http-deps.js';
import { testPki, TEST_PKI_PASSPHRASE } from '../helpers/pki.js';
import { unzip } from '../adapters/audit/unzip.js';

const INS = '277076322082910';
const RAW = Buffer.from('MSH|^~\\&|SIL|LAB|DMPGW|LAB|20260301100000||ORU^R01^ORU_R01|MSG-1|P|2.5\rPID|1||123^^^LAB^PI~277076322082910^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS||TEST^PAT\r', 'latin1');
const CDA = '<?xml version="1.0" encoding="UTF-8"?><ClinicalDocument xmlns="urn:hl7-org:v3"/>';
const ANSWER = '<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>';

describe('evidence pack', () => {
  let t: TestDb;
  let h: ReturnType<typeof httpDeps>;
  let app: ReturnType<typeof createApp>;
  let token: string;
  let txId: string;
  before(async () => {
    t = await sqliteTestDb();
    h = httpDeps(t.db, { DMP_GATEWAY_AUDIT_SIGNATURE_P12: testPki().entities.structureSign.p12Path, DMP_GATEWAY_PKI_PASSPHRASE: TEST_PKI_PASSPHRASE });
    h.clock.advance(Date.now() - h.clock.now().getTime());
    // Also works before main.ts lists it: add it when absent.
    const modules = routeModules.includes(evidenceRoutes) ? routeModules : [...routeModules, evidenceRoutes];
    app = createApp(h.deps, modules);
    token = (await h.deps.tokens.create('compliance', 'c', 'tok-c', h.clock.now())).token;
    const ins = h.deps.subjectHash(INS);
    const got = await h.deps.transmissions.receive({ id: 'in-1', sender: 'LAB', messageId: 'MSG-1', contentType: 'application/hl7-v2', raw: RAW }, [{ id: 'tx-1', reportIndex: 0, accession: 'ACC-1', insHash: ins, reportJson: '{}' }], { actor: 'sil:LAB' });
    txId = got.transmissions[0]?.id ?? '';
    await t.db.execute('INSERT INTO documents (unique_id, transmission_id, set_id, version_number, cda, sha1, size_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', ['1.2.250.1.999.1.1.42', txId, '1.2.250.1.999.1.2.42', 1, Buffer.from(CDA), createHash('sha1').update(CDA).digest('hex'), CDA.length, h.clock.now().toISOString()]);
    await h.deps.transmissions.transition(txId, ['received'], 'ready', { documentUniqueId: '1.2.250.1.999.1.1.42', setId: '1.2.250.1.999.1.2.42', versionNumber: 1 }, { type: 'document.built', actor: 'system:worker', outcome: 'success', documentUniqueId: '1.2.250.1.999.1.1.42', details: { sha1: 'x' } });
    await h.deps.transmissions.transition(txId, ['ready'], 'sending', { attempts: 1 }, { type: 'delivery.attempt', actor: 'system:worker', outcome: 'info', documentUniqueId: '1.2.250.1.999.1.1.42', details: { attempt: 1 } });
    await h.deps.transmissions.transition(txId, ['sending'], 'delivered', { dmpAnswer: ANSWER }, { type: 'delivery.outcome', actor: 'system:worker', outcome: 'success', documentUniqueId: '1.2.250.1.999.1.1.42', details: { certificateFingerprint: 'AA:BB' } });
    await request(app.callback()).post('/v1/audit/checkpoints').set('Authorization', `Bearer ${token}`).expect(201);
  });
  after(() => t.dispose());

  it('is one zip with the input, its hash, the CDA, metadata, signatures, the DMP answer and the audit records', async () => {
    const res = await request(app.callback()).get(`/v1/transmissions/${txId}/evidence`).set('Authorization', `Bearer ${token}`).buffer(true).parse((r, cb) => {
      const c: Buffer[] = [];
      r.on('data', (d: Buffer) => c.push(d));
      r.on('end', () => cb(null, Buffer.concat(c)));
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.match(String(res.headers['content-disposition']), /evidence-tx-1\.zip/);
    const files = unzip(res.body as Buffer);
    assert.deepEqual([...files.keys()].sort(), ['LISEZMOI.txt', 'audit/fhir-auditevents.json', 'audit/records.jsonl', 'document/cda.xml', 'document/metadata.json', 'dmp/answer.xml', 'input/raw.hl7', 'input/sha256.txt', 'manifest.json', 'signatures/certificates.json', 'signatures/checkpoint.json'].sort());
    assert.deepEqual(files.get('input/raw.hl7'), RAW);
    assert.equal(files.get('input/sha256.txt')?.toString().trim(), createHash('sha256').update(RAW).digest('hex'));
    assert.equal(files.get('document/cda.xml')?.toString(), CDA);
    assert.equal(files.get('dmp/answer.xml')?.toString(), ANSWER);
    assert.equal(JSON.parse(files.get('document/metadata.json')?.toString() ?? '{}').uniqueId, '1.2.250.1.999.1.1.42');
    assert.deepEqual(JSON.parse(files.get('signatures/certificates.json')?.toString() ?? '[]').map((c: { certificateFingerprint: string }) => c.certificateFingerprint), ['AA:BB']);
    const manifest = JSON.parse(files.get('manifest.json')?.toString() ?? '{}') as { files: { name: string; sha256: string }[]; auditTrail: { ok: boolean }; transmission: { status: string; subjectHash: string } };
    for (const f of manifest.files) {
      assert.equal(createHash('sha256').update(files.get(f.name) ?? Buffer.alloc(0)).digest('hex'), f.sha256, `${f.name} digest`);
    }
    assert.equal(manifest.auditTrail.ok, true);
    assert.equal(manifest.transmission.status, 'delivered');
    const records = (files.get('audit/records.jsonl')?.toString() ?? '').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string });
    assert.deepEqual(records.map((r) => r.type), ['report.received', 'document.built', 'delivery.attempt', 'delivery.outcome', 'user.read']);
    assert.ok(![...files.values()].some((b) => b.toString('latin1').includes('TEST^PAT') && b !== files.get('input/raw.hl7')), 'patient data only in the raw input');
    const cp = JSON.parse(files.get('signatures/checkpoint.json')?.toString() ?? '{}') as { seq: number; signature: string };
    assert.ok(cp.seq >= 4 && cp.signature.length > 100);
  });

  it('reading it is audited as a read of this patient’s data', async () => {
    const r = (await t.db.query("SELECT actor, subject_hash, transmission_id FROM audit_events WHERE type = 'user.read' ORDER BY seq DESC LIMIT 1"))[0];
    assert.deepEqual(r, { actor: 'user:tok-c', subject_hash: h.deps.subjectHash(INS), transmission_id: txId });
  });

  it('an unknown transmission is 404', async () => {
    await request(app.callback()).get('/v1/transmissions/nope/evidence').set('Authorization', `Bearer ${token}`).expect(404);
  });
});
