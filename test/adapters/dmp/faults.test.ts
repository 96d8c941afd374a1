import { request as httpsRequest } from 'node:https';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestPki } from '../../../certs/pki.js';
import { startDmpSimulator, type DmpSimulator } from '../../../conformance/dmp/index.js';
import { XdsDmpRoute } from '../../../src/adapters/dmp/xds-route.js';
import { ansKit, example, pki, request, routeOptions, uniqueCopy } from './setup.js';

/** A call to the simulator's own API, with the structure's client certificate. */
const simApi = (p: TestPki, url: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> => new Promise((ok, ko) => {
  const u = new URL(path, url);
  const req = httpsRequest({ hostname: u.hostname, port: u.port, path: u.pathname, method, key: readFileSync(p.entities.structureAuth.keyPath), cert: p.entities.structureAuth.cert, ca: p.caBundle, headers: { 'content-type': 'application/json' } }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => ok({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }));
  });
  req.on('error', ko);
  req.end(body === undefined ? undefined : JSON.stringify(body));
});

describe('DMP answers that are not a verdict: faults, timeouts, lost answers', () => {
  let p: TestPki;
  let sim: DmpSimulator;
  let r: XdsDmpRoute;
  /** Gives up quickly: for the faults that never answer. */
  let quick: XdsDmpRoute;
  const dataDir = mkdtempSync(join(tmpdir(), 'dmp-sim-faults-'));
  before(async () => {
    p = pki();
    sim = await startDmpSimulator({ dataDir, pki: p, ansKitDir: ansKit, holdMs: 20_000 });
    r = new XdsDmpRoute({ ...routeOptions(p, sim.url), timeoutMs: 60_000 });
    quick = new XdsDmpRoute({ ...routeOptions(p, sim.url), timeoutMs: 2500 });
  });
  after(async () => sim.close());

  const one = () => {
    const { xml, id } = uniqueCopy('TSH_1');
    return { req: request(xml, id), id };
  };

  it('HTTP 503 → DMP_BUSY, retryable, nothing stored', async () => {
    assert.equal((await simApi(p, sim.url, 'POST', '/_sim/faults', { kind: 'http503' })).status, 200);
    const { req, id } = one();
    const out = await r.submit(req);
    assert.deepEqual([out.kind, out.kind === 'rejected' && out.code, out.kind === 'rejected' && out.retryable], ['rejected', 'DMP_BUSY', true]);
    assert.equal(sim.store.byUniqueId(id), undefined);
  });

  it('XDSRegistryBusy → DMP_BUSY retryable; XDSRegistryError → DMP_SERVER_ERROR retryable; XDSRegistryMetadataError → permanent', async () => {
    const expected: [string, string, boolean][] = [['XDSRegistryBusy', 'DMP_BUSY', true], ['XDSRegistryError', 'DMP_SERVER_ERROR', true], ['XDSRegistryMetadataError', 'DMP_METADATA_REJECTED', false]];
    for (const [xds, code, retryable] of expected) {
      await simApi(p, sim.url, 'POST', '/_sim/faults', { kind: 'xds', errorCode: xds });
      const out = await r.submit(one().req);
      assert.deepEqual([out.kind, out.kind === 'rejected' && out.code, out.kind === 'rejected' && out.retryable], ['rejected', code, retryable], xds);
      assert.match(out.kind === 'rejected' ? out.answer ?? '' : '', new RegExp(xds));
    }
  });

  it('no answer within the timeout → uncertain (DMP_NO_ANSWER)', async () => {
    await simApi(p, sim.url, 'POST', '/_sim/faults', { kind: 'timeout' });
    const { req, id } = one();
    const out = await quick.submit(req);
    assert.deepEqual([out.kind, out.kind === 'uncertain' && out.code], ['uncertain', 'DMP_NO_ANSWER']);
    assert.equal(sim.store.byUniqueId(id), undefined);
    assert.deepEqual(await r.findByUniqueId(id, '279035121518989'), { found: false });
  });

  it('answer lost after the DMP stored the document → uncertain, then ITI-18 finds it (reconcile, no resend)', async () => {
    await simApi(p, sim.url, 'POST', '/_sim/faults', { kind: 'lost_answer' });
    const { req, id } = one();
    const out = await quick.submit(req);
    assert.equal(out.kind, 'uncertain');
    // The DMP may still be storing it when the gateway gives up: reconcile once it has (as a later reconciliation run would).
    for (let i = 0; i < 200 && !sim.store.byUniqueId(id); i++) {
      await new Promise((ok) => setTimeout(ok, 100));
    }
    const found = await r.findByUniqueId(id, '279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH');
    assert.deepEqual(found, { found: true, entryUuid: sim.store.byUniqueId(id)?.entryUuid, status: 'approved' });
  });

  it('nobody listening → DMP_UNREACHABLE, retryable', async () => {
    const closed = new XdsDmpRoute({ ...routeOptions(p, 'https://127.0.0.1:1'), timeoutMs: 2000 });
    const out = await closed.submit(one().req);
    assert.deepEqual([out.kind, out.kind === 'rejected' && out.code, out.kind === 'rejected' && out.retryable], ['rejected', 'DMP_UNREACHABLE', true]);
  });

  it('a patient marked without DMP at /_sim/patients is refused (XDSUnknownPatientId), then accepted once marked back', async () => {
    assert.equal((await simApi(p, sim.url, 'POST', '/_sim/patients', { withoutDmp: ['279035121518989'] })).status, 200);
    const out = await r.submit(one().req);
    assert.deepEqual([out.kind, out.kind === 'rejected' && out.code], ['rejected', 'DMP_UNKNOWN_PATIENT']);
    await simApi(p, sim.url, 'POST', '/_sim/patients', { withDmp: ['279035121518989'] });
    assert.equal((await r.submit(one().req)).kind, 'delivered');
  });

  it('ITI-18 lookup takes the INS alone or as a CX (Corsican NIR included)', async () => {
    assert.deepEqual(await r.findByUniqueId('1.2.250.1.999.404', '180032B02040123^^^&1.2.250.1.213.1.4.10&ISO^NH'), { found: false });
    assert.deepEqual(await r.findByUniqueId('1.2.250.1.999.404', '180032B02040123'), { found: false });
    await assert.rejects(r.findByUniqueId('1.2.250.1.999.404', '180032B02040124'), { code: 'DMP_SECURITY_REJECTED' });
  });

  it('a bad fault request is refused', async () => {
    assert.equal((await simApi(p, sim.url, 'POST', '/_sim/faults', { kind: 'explode' })).status, 400);
  });
});

describe('replacement (RPLC) and persistence', () => {
  let p: TestPki;
  let sim: DmpSimulator;
  const dataDir = mkdtempSync(join(tmpdir(), 'dmp-sim-rplc-'));
  let v1Unique = '';
  before(async () => {
    p = pki();
    sim = await startDmpSimulator({ dataDir, pki: p, ansKitDir: ansKit });
  });
  after(async () => sim.close());

  it('V1 then V2 replacing it (entryUUID found with ITI-18): V1 deprecated; a second replacement of V1 is refused', async () => {
    const r = new XdsDmpRoute(routeOptions(p, sim.url));
    const v1 = example('Microbiologie_V1');
    // The official V2 points its RPLC at another id than V1's (the two examples were written apart): aim it at V1.
    const v1Id0 = /<id root="([^"]+)"\s*\/>/.exec(v1.slice(v1.indexOf('<ClinicalDocument')))?.[1] ?? '';
    const v2 = example('Microbiologie_V2').replace('<id root="1.2.250.1.213.1.1.1.55.12345.13"/>', `<id root="${v1Id0}"/>`);
    const v1Id = /<id root="([^"]+)"\s*\/>/.exec(v1.slice(v1.indexOf('<ClinicalDocument')))?.[1] ?? '';
    const v2Id = /<id root="([^"]+)"\s*\/>/.exec(v2.slice(v2.indexOf('<ClinicalDocument')))?.[1] ?? '';
    assert.notEqual(v1Id, v2Id);
    v1Unique = v1Id;
    const o1 = await r.submit(request(v1, v1Id));
    assert.equal(o1.kind, 'delivered', JSON.stringify(o1));
    const o2 = await r.submit(request(v2, v2Id, { versionNumber: 2 }));
    assert.equal(o2.kind, 'delivered', JSON.stringify(o2));
    const old = sim.store.byUniqueId(v1Id);
    const neu = sim.store.byUniqueId(v2Id);
    assert.equal(old?.status, 'deprecated');
    assert.equal(old?.replacedBy, neu?.entryUuid);
    assert.equal(neu?.replaces, old?.entryUuid);
    assert.equal(neu?.setId, old?.setId);

    // A corrected V2' that (wrongly) replaces V1 again.
    const { xml, id } = uniqueCopy('Microbiologie_V2', (x) => x.replace('<id root="1.2.250.1.213.1.1.1.55.12345.13"/>', `<id root="${v1Id}"/>`));
    const o3 = await r.submit(request(xml, id, { replacesUniqueId: v1Id }));
    assert.deepEqual([o3.kind, o3.kind === 'rejected' && o3.code], ['rejected', 'DMP_REPLACED_DOCUMENT_DEPRECATED']);
    assert.match(o3.kind === 'rejected' ? o3.answer ?? '' : '', /XDSRegistryDeprecatedDocumentError/);

    // Replacing a document the DMP never got: found by nobody, nothing sent.
    const { xml: x4, id: id4 } = uniqueCopy('Microbiologie_V2');
    const o4 = await r.submit(request(x4, id4, { replacesUniqueId: '1.2.250.1.999.404' }));
    assert.deepEqual([o4.kind, o4.kind === 'rejected' && o4.code], ['rejected', 'DMP_REPLACED_DOCUMENT_UNKNOWN']);
    assert.equal(sim.store.byUniqueId(id4), undefined);
  });

  it('keeps its documents across a restart (--data) and lists them at /_sim/documents', async () => {
    const before = sim.store.all().length;
    assert.ok(before >= 2);
    await sim.close();
    sim = await startDmpSimulator({ dataDir, pki: p, ansKitDir: ansKit });
    const { status, json } = await simApi(p, sim.url, 'GET', '/_sim/documents');
    assert.equal(status, 200);
    const docs = (json as { documents: { uniqueId: string; setId: string; patientIns: string; status: string; receivedAt: string }[] }).documents;
    assert.equal(docs.length, before);
    const v1 = docs.find((d) => d.uniqueId === v1Unique);
    assert.equal(v1?.status, 'deprecated');
    assert.equal(v1?.patientIns, '279035121518989');
    assert.match(v1?.receivedAt ?? '', /^\d{4}-\d{2}-\d{2}T/);
    assert.ok(v1?.setId);
  });
});
