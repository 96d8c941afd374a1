/** ITI-65 bundles that break one rule each: the simulator refuses them and the MHD route classifies the answer. */
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestPki } from '../../../certs/pki.js';
import type { DmpSimulator } from '../../../conformance/dmp/index.js';
import { MhdDmpRoute } from '../../../src/adapters/dmp/mhd-route.js';
import { cdaToMhdBundle } from '../../../src/core/xds/index.js';
import { pki, routeOptions, startSim, uniqueCopy } from './setup.js';

type Res = Record<string, unknown> & { resourceType: string };
interface B { entry: { fullUrl: string; resource: Res }[] }

describe('strict simulator, MHD: rule-breaking bundles', () => {
  let p: TestPki;
  let sim: DmpSimulator;
  let r: MhdDmpRoute;
  before(async () => {
    p = pki();
    sim = await startSim(p, { unknownPatients: ['180032B02040123'] });
    const x = routeOptions(p, sim.url);
    r = new MhdDmpRoute({ endpoint: `${sim.url}/fhir`, tls: x.tls, xds: x.xds, visibilityRules: [], timeoutMs: 60_000, clock: x.clock, ids: x.ids });
  });
  after(async () => {
    await r.close();
    await sim.close();
  });

  const bundle = (edit: (xml: string) => string = (s) => s): B => {
    const { xml } = uniqueCopy('TSH_1', edit);
    const ids = { list: randomUUID(), documentReference: randomUUID(), binary: randomUUID(), submissionSet: randomUUID() };
    const b = cdaToMhdBundle({ xml, settings: routeOptions(p, sim.url).xds, visibility: [], ids, now: new Date() }).bundle;
    assert.ok(b);
    return JSON.parse(JSON.stringify(b)) as B;
  };
  const docRef = (b: B): Res => b.entry[1]!.resource;
  const attachment = (b: B): Record<string, unknown> => ((docRef(b)['content'] as Record<string, unknown>[])[0]!['attachment']) as Record<string, unknown>;

  const cases: { name: string; make: () => B; code: string; text: RegExp }[] = [
    { name: 'attachment.hash not the SHA-1 of the Binary', code: 'DMP_HASH_MISMATCH', text: /XDSNonIdenticalHash/,
      make: () => { const b = bundle(); attachment(b)['hash'] = createHash('sha1').update('x').digest('base64'); return b; } },
    { name: 'attachment.size wrong', code: 'DMP_METADATA_REJECTED', text: /size/,
      make: () => { const b = bundle(); attachment(b)['size'] = 1; return b; } },
    { name: 'attachment.url to no Binary', code: 'DMP_METADATA_REJECTED', text: /Binary/,
      make: () => { const b = bundle(); attachment(b)['url'] = 'urn:uuid:00000000-0000-4000-8000-000000000000'; return b; } },
    { name: 'type other than 11502-2', code: 'DMP_METADATA_REJECTED', text: /11502-2/,
      make: () => { const b = bundle(); docRef(b)['type'] = { coding: [{ system: 'http://loinc.org', code: '11488-4' }] }; return b; } },
    { name: 'securityLabel outside JDV_J08', code: 'DMP_METADATA_REJECTED', text: /JDV_J08/,
      make: () => { const b = bundle(); docRef(b)['securityLabel'] = [{ coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.13', code: 'CACHE' }] }]; return b; } },
    { name: 'subject INS with a wrong key', code: 'DMP_UNKNOWN_PATIENT', text: /XDSUnknownPatientId/,
      make: () => { const b = bundle(); docRef(b)['subject'] = { identifier: { system: 'urn:oid:1.2.250.1.213.1.4.10', value: '279035121518988' } }; return b; } },
    { name: 'patient without an open DMP', code: 'DMP_UNKNOWN_PATIENT', text: /XDSUnknownPatientId/,
      make: () => bundle((x) => x.replace('extension="279035121518989"', 'extension="180032B02040123"')) },
    { name: 'no SubmissionSet List', code: 'DMP_METADATA_REJECTED', text: /SubmissionSet List/,
      make: () => { const b = bundle(); b.entry.splice(0, 1); return b; } },
    { name: 'CDA not valid against the XSD', code: 'DMP_METADATA_REJECTED', text: /CDA_extended\.xsd/,
      make: () => bundle((x) => x.replace('<languageCode code="fr-FR"/>', '<languageCode code="fr-FR"/><langue/>')) },
    { name: 'relatesTo replaces a document the DMP does not hold', code: 'DMP_REPLACED_DOCUMENT_UNKNOWN', text: /UnresolvedReferenceException/,
      make: () => { const b = bundle(); docRef(b)['relatesTo'] = [{ code: 'replaces', target: { identifier: { value: 'urn:oid:1.2.250.1.999.404' } } }]; return b; } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const before = sim.store.all().length;
      const out = await r.sendBundle(c.make() as unknown as Record<string, unknown>, 'urn:uuid:x');
      assert.equal(out.kind, 'rejected', JSON.stringify(out).slice(0, 500));
      assert.equal(out.kind === 'rejected' && out.code, c.code, out.kind === 'rejected' ? out.answer : '');
      assert.equal(out.kind === 'rejected' && out.retryable, false);
      assert.match(out.kind === 'rejected' ? out.answer ?? '' : '', c.text);
      assert.equal(sim.store.all().length, before);
    });
  }
});
