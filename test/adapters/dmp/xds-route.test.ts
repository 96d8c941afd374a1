import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestPki } from '../../../certs/pki.js';
import type { DmpSimulator } from '../../../conformance/dmp/index.js';
import { pki, request, route, startSim, uniqueCopy } from './setup.js';

describe('XDS route → strict DMP simulator (ITI-41 over mTLS + MTOM)', () => {
  let p: TestPki;
  let sim: DmpSimulator;
  before(async () => {
    p = pki();
    sim = await startSim(p);
  });
  after(async () => sim.close());

  it('delivers the official TSH example: signed VIHF, XAdES verified, metadata stored', async () => {
    const { xml, id } = uniqueCopy('TSH_1');
    const out = await route(p, sim).submit(request(xml, id));
    assert.equal(out.kind, 'delivered', JSON.stringify(out));
    const stored = sim.store.byUniqueId(id);
    assert.ok(stored);
    assert.equal(stored.patientIns, '279035121518989');
    assert.equal(stored.status, 'approved');
    assert.equal(stored.signatureVerified, true);
    assert.equal(out.kind === 'delivered' ? out.entryUuid : '', stored.entryUuid);
    assert.match(out.kind === 'delivered' ? out.answer : '', /ResponseStatusType:Success/);
  });
});
