/** The conformance gate without and with the ANS kit: readable issues with XPath for a broken document. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createConformanceGate, type SchematronEngine } from '../../src/adapters/validation/gate.js';
import type { Issue } from '../../src/core/validation/issue.js';
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

  it('coalesces concurrent schematron requests: one run at a time, batches capped, each caller gets its own findings', async () => {
    const batches: number[] = [];
    let active = 0;
    let maxActive = 0;
    const engine: SchematronEngine = {
      async validate(docs) {
        active++;
        maxActive = Math.max(maxActive, active);
        batches.push(docs.length);
        await new Promise((r) => setTimeout(r, 20));
        active--;
        return docs.map((d): Issue[] => [{ severity: 'error', code: 'FAKE', path: '/', message: /<title>([^<]*)<\/title>/.exec(d)?.[1] ?? '' }]);
      },
    };
    const gate = await createConformanceGate({ ansKit: ANS_KIT, schematronEngine: engine, maxBatch: 2 });
    const base = golden('glucose_two_units');
    const titles = ['a', 'b', 'c', 'd', 'e'];
    const results = await Promise.all(titles.map((t) => gate.validate(base.replace("<title>Compte rendu d&apos;examens biologiques</title>", `<title>${t}</title>`))));
    assert.deepEqual(results.map((r) => r.find((i) => i.code === 'FAKE')?.message), titles);
    assert.equal(maxActive, 1);
    assert.equal(batches.reduce((a, b) => a + b, 0), 5);
    assert.ok(batches.every((b) => b <= 2), JSON.stringify(batches));
  });
});
