/**
 * Documents built by the gateway's own CR-BIO builder (src/core/cda) through the XDS route to the strict
 * simulator: the partial report, the final one replacing it, then a correction replacing the final.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestPki } from '../../../certs/pki.js';
import type { DmpSimulator } from '../../../conformance/dmp/index.js';
import { XdsDmpRoute } from '../../../src/adapters/dmp/xds-route.js';
import { buildCrBio } from '../../../src/core/cda/index.js';
import type { LabReport } from '../../../src/core/report/model.js';
import { loadReport, testSettings, tinyPdf, versionFor } from '../../fixtures/cda/settings.js';
import { pki, request, routeOptions, startSim } from './setup.js';

describe('partial → final → corrected, built by the gateway and replaced in the simulated DMP', () => {
  let p: TestPki;
  let sim: DmpSimulator;
  let r: XdsDmpRoute;
  before(async () => {
    p = pki();
    sim = await startSim(p);
    r = new XdsDmpRoute(routeOptions(p, sim.url, { visibilityRules: [{ loinc: '630-4', codes: ['INVISIBLE_PATIENT'] }] }));
  });
  after(async () => sim.close());

  const send = async (report: LabReport, n: number) => {
    const v = versionFor(n, `versions-${process.pid}`, `2021-01-0${3 + n}T16:10:00+01:00`);
    const built = buildCrBio(report, v, testSettings, { pdf: tinyPdf() });
    assert.deepEqual(built.issues.filter((i) => i.severity === 'error'), []);
    const out = await r.submit(request(built.xml, v.documentId, { setId: v.setId, versionNumber: n, report, ...(v.replacesDocumentId ? { replacesUniqueId: v.replacesDocumentId } : {}) }));
    assert.equal(out.kind, 'delivered', JSON.stringify(out).slice(0, 800));
    return v;
  };

  it('each version is accepted (XSD, metadata, VIHF, XAdES) and deprecates the one before', async () => {
    const partial = loadReport('micro_v1');
    const final = loadReport('micro_v2');
    const corrected: LabReport = { ...final, status: 'corrected', messageId: `${final.messageId}-C` };
    const v1 = await send(partial, 1);
    const v2 = await send(final, 2);
    const v3 = await send(corrected, 3);
    const docs = [v1, v2, v3].map((v) => sim.store.byUniqueId(v.documentId));
    assert.deepEqual(docs.map((d) => d?.status), ['deprecated', 'deprecated', 'approved']);
    assert.deepEqual(docs.map((d) => d?.versionNumber), [1, 2, 3]);
    assert.ok(docs.every((d) => d?.setId === v1.setId && d.signatureVerified && d.patientIns === '279035121518989'));
    assert.equal(docs[1]?.replaces, docs[0]?.entryUuid);
    assert.equal(docs[2]?.replaces, docs[1]?.entryUuid);
    // The lab rule on the urine culture (LOINC 630-4) keeps every version hidden from the patient.
    assert.ok(docs.every((d) => d?.confidentialityCodes.join() === 'N,INVISIBLE_PATIENT'));
  });
});
