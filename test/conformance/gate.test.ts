/** The conformance gate without and with the ANS kit: readable issues with XPath for a broken document. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createConformanceGate } from '../../src/adapters/validation/gate.js';
import { CdaXsdValidator } from '../../src/adapters/validation/xsd.js';
import { goldenDir, repoRoot } from '../fixtures/cda/settings.js';

const ANS_KIT = path.resolve(repoRoot, '..', 'shared', 'reference', 'cda');
const golden = (n: string): string => readFileSync(path.join(goldenDir, `${n}.xml`), 'utf8');

describe('conformance gate', () => {
  it('without the kit runs only our own rules', async () => {
    const gate = await createConformanceGate();
    assert.deepEqual(gate.layers, ['own-rules']);
    assert.deepEqual(await gate.validate(golden('tsh')), []);
    const issues = await gate.validate(golden('tsh').replace('code="11502-2"', 'code="11502-3"'));
    assert.deepEqual(issues.map((i) => [i.code, i.path]), [['CDA_DOC_CODE', '/ClinicalDocument[1]/code[1]']]);
  });

  it('refuses a kit folder that does not exist', async () => {
    await assert.rejects(createConformanceGate({ ansKit: path.join(repoRoot, 'no-such-kit') }), /ANS kit folder not found/);
  });

  it('the CDA XSD (in-process) reports an unexpected element at its XPath', async () => {
    const xsd = new CdaXsdValidator(ANS_KIT);
    assert.deepEqual(await xsd.validate(golden('crp_local')), []);
    const bad = golden('crp_local').replace('<languageCode code="fr-FR"/>', '<languageCode code="fr-FR"/>\n  <colour value="red"/>');
    const issues = await xsd.validate(bad);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.code, 'CDA_XSD');
    assert.equal(issues[0]!.path, '/ClinicalDocument[1]/colour[1]');
    assert.match(issues[0]!.message, /colour/);
  });
});
