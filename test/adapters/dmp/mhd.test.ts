import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestPki } from '../../../certs/pki.js';
import type { DmpSimulator } from '../../../conformance/dmp/index.js';
import { MhdDmpRoute, type MhdRouteOptions } from '../../../src/adapters/dmp/mhd-route.js';
import { cdaToMhdBundle } from '../../../src/core/xds/index.js';
import { example, pki, report, request, routeOptions, startSim, uniqueCopy } from './setup.js';

describe('MHD route (ITI-65, PDSm) → simulator', () => {
  let p: TestPki;
  let sim: DmpSimulator;
  let r: MhdDmpRoute;
  const options = (over: Partial<MhdRouteOptions> = {}): MhdRouteOptions => {
    const x = routeOptions(p, sim.url);
    return { endpoint: `${sim.url}/fhir`, tls: x.tls, xds: x.xds, visibilityRules: [{ loinc: '2986-8', codes: ['INVISIBLE_PATIENT'] }], timeoutMs: 60_000, clock: x.clock, ids: x.ids, ...over };
  };
  before(async () => {
    p = pki();
    sim = await startSim(p);
    r = new MhdDmpRoute(options());
  });
  after(async () => {
    await r.close();
    await sim.close();
  });

  it('builds a PDSm bundle: List, DocumentReference, Binary with SHA-1 hash and size', () => {
    const xml = example('TSH_1');
    const ids = { list: randomUUID(), documentReference: randomUUID(), binary: randomUUID(), submissionSet: randomUUID() };
    const { bundle, issues } = cdaToMhdBundle({ xml, settings: routeOptions(p, 'https://x').xds, visibility: ['MASQUE_PS'], ids, now: new Date('2026-01-01T00:00:00Z') });
    assert.deepEqual(issues, []);
    const entries = (bundle as { entry: { resource: Record<string, unknown> }[] }).entry;
    assert.deepEqual(entries.map((e) => e.resource['resourceType']), ['List', 'DocumentReference', 'Binary']);
    const dr = entries[1]!.resource as { content: { attachment: { hash: string; size: number; url: string } }[]; securityLabel: { coding: { code: string }[] }[]; subject: unknown; date: string };
    assert.equal(dr.content[0]!.attachment.size, Buffer.byteLength(xml));
    assert.equal(dr.content[0]!.attachment.url, `urn:uuid:${ids.binary}`);
    assert.deepEqual(dr.securityLabel.map((s) => s.coding[0]!.code), ['N', 'MASQUE_PS']);
    assert.deepEqual(dr.subject, { identifier: { system: 'urn:oid:1.2.250.1.213.1.4.10', value: '279035121518989' } });
    assert.equal(dr.date, '2021-04-01T16:10:00Z');
  });

  it('delivers over mTLS; the simulator stores it as an MHD document', async () => {
    const { xml, id } = uniqueCopy('TSH_1');
    const out = await r.submit(request(xml, id));
    assert.equal(out.kind, 'delivered', JSON.stringify(out));
    const stored = sim.store.byUniqueId(id);
    assert.equal(stored?.route, 'mhd');
    assert.equal(stored?.status, 'approved');
  });

  it('replaces with relatesTo; a second replacement of the old one is refused (XDSRegistryDeprecatedDocumentError)', async () => {
    const v1 = uniqueCopy('TSH_1');
    assert.equal((await r.submit(request(v1.xml, v1.id))).kind, 'delivered');
    const v2 = uniqueCopy('TSH_1');
    assert.equal((await r.submit(request(v2.xml, v2.id, { replacesUniqueId: v1.id }))).kind, 'delivered');
    assert.equal(sim.store.byUniqueId(v1.id)?.status, 'deprecated');
    const v3 = uniqueCopy('TSH_1');
    const out = await r.submit(request(v3.xml, v3.id, { replacesUniqueId: v1.id }));
    assert.deepEqual([out.kind, out.kind === 'rejected' && out.code, out.kind === 'rejected' && out.retryable], ['rejected', 'DMP_REPLACED_DOCUMENT_DEPRECATED', false]);
  });

  it('classifies a duplicate, a 503, an untrusted server and opposition', async () => {
    const d = uniqueCopy('TSH_1');
    await r.submit(request(d.xml, d.id));
    const dup = await r.submit(request(d.xml, d.id));
    assert.equal(dup.kind === 'rejected' && dup.code, 'DMP_DUPLICATE_DOCUMENT');
    sim.inject({ kind: 'http503' });
    const busy = await r.submit(request(uniqueCopy('TSH_1').xml, 'x'));
    assert.deepEqual([busy.kind === 'rejected' && busy.code, busy.kind === 'rejected' && busy.retryable], ['DMP_BUSY', true]);
    const untrusted = new MhdDmpRoute(options({ tls: { ...options().tls, caPem: p.entities.untrustedClient.cert } }));
    const tls = await untrusted.submit(request(uniqueCopy('TSH_1').xml, 'y'));
    await untrusted.close();
    assert.equal(tls.kind === 'rejected' && tls.code, 'DMP_TLS_FAILED');
    const opposed = await r.submit({ ...request(uniqueCopy('TSH_1').xml, 'z'), report: report({ patientOpposed: true }) });
    assert.equal(opposed.kind === 'rejected' && opposed.code, 'DMP_PATIENT_OPPOSED');
  });

  it('reconciles with ITI-67: a registered uniqueId is found with its entryUUID and state, an unknown one is not', async () => {
    const ins = '279035121518989^^^&1.2.250.1.213.1.4.10&ISO';
    const v1 = uniqueCopy('TSH_1');
    const sent = await r.submit(request(v1.xml, v1.id));
    assert.equal(sent.kind, 'delivered');
    const found = await r.findByUniqueId(v1.id, ins);
    assert.deepEqual(found, { found: true, entryUuid: sim.store.byUniqueId(v1.id)?.entryUuid, status: 'approved' });
    // Replaced: still registered, as superseded.
    const v2 = uniqueCopy('TSH_1');
    assert.equal((await r.submit(request(v2.xml, v2.id, { replacesUniqueId: v1.id }))).kind, 'delivered');
    assert.deepEqual(await r.findByUniqueId(v1.id, ins), { found: true, entryUuid: sim.store.byUniqueId(v1.id)?.entryUuid, status: 'deprecated' });
    // Never sent; and sent, but asked for under another patient.
    assert.deepEqual(await r.findByUniqueId(`${v1.id}.404`, ins), { found: false });
    assert.deepEqual(await r.findByUniqueId(v1.id, '185076912304596^^^&1.2.250.1.213.1.4.10&ISO'), { found: false });
    // No INS authority: refused before anything leaves.
    await assert.rejects(r.findByUniqueId(v1.id, '279035121518989'), (e: Error & { code?: string }) => e.code === 'DMP_METADATA_INVALID');
    // The DMP busy: no answer to use, the send stays uncertain.
    sim.inject({ kind: 'http503' });
    await assert.rejects(r.findByUniqueId(v1.id, ins), (e: Error & { code?: string }) => e.code === 'DMP_BUSY');
  });

  it('the simulator holds ITI-67 to the transaction: patient.identifier (an INS) and status are required; 200 with an empty searchset otherwise', async () => {
    const { request: get } = await import('node:https');
    const search = (query: string): Promise<{ status: number; body: { resourceType: string; type?: string; total?: number; issue?: { diagnostics: string }[] } }> =>
      new Promise((resolve, reject) => {
        const req = get(`${sim.url}/fhir/DocumentReference?${query}`, { key: p.entities.structureAuth.key, cert: p.entities.structureAuth.cert, ca: p.caBundle }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as never }));
        });
        req.on('error', reject);
        req.end();
      });
    const patient = 'patient.identifier=urn:oid:1.2.250.1.213.1.4.10|279035121518989';
    assert.deepEqual(await search(`${patient}&status=current&identifier=urn:ietf:rfc:3986|urn:oid:1.2.3.404`), { status: 200, body: { resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] } });
    const noStatus = await search(patient);
    assert.deepEqual([noStatus.status, noStatus.body.resourceType], [400, 'OperationOutcome']);
    assert.match(noStatus.body.issue?.[0]?.diagnostics ?? '', /status is required/);
    const noPatient = await search('status=current');
    assert.deepEqual([noPatient.status, noPatient.body.resourceType], [400, 'OperationOutcome']);
    const notIns = await search('patient.identifier=urn:oid:1.2.3|279035121518989&status=current');
    assert.equal(notIns.status, 400);
    const statusWithSystem = await search(`${patient}&status=http://hl7.org/fhir/document-reference-status|current`);
    assert.equal(statusWithSystem.status, 400);
  });
});
