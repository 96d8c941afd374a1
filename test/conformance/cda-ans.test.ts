/**
 * Every generated CR-BIO passes ANS's rules (CDA XSD + CI-SIS header + CR-BIO 2024.01 schematrons) with 0 errors,
 * and the golden files are exactly those validated documents.
 *
 * Runtime is bounded: the batch goes through our conformance gate (XSD in-process, one Saxon JVM per schematron
 * layer for all documents), and the official `validate-cda` script is run on two documents (one valid, one
 * broken) to prove the gate finds exactly what the official tool finds. Missing tool or Java: the test fails.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createConformanceGate } from '../../src/adapters/validation/gate.js';
import type { Issue } from '../../src/core/validation/issue.js';
import { CDA_FIXTURES, buildFixture } from '../fixtures/cda/fixtures.js';
import { goldenDir, loadReport, repoRoot, testSettings, versionFor } from '../fixtures/cda/settings.js';
import { renderReportPdf } from '../../src/adapters/pdf/render.js';
import { buildCrBio } from '../../src/core/cda/index.js';
import { validateWithAns } from './ans-validator.js';

export const ANS_KIT = path.resolve(repoRoot, '..', 'shared', 'reference', 'cda');
const dir = mkdtempSync(path.join(tmpdir(), 'cda-ans-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ansErrors = (issues: readonly Issue[]) => ({
  xsd: issues.filter((i) => i.code === 'CDA_XSD').length,
  sch: issues.filter((i) => i.code.startsWith('SCHEMATRON_') && i.severity === 'error').length,
});

/** Wrong title and the PDF copy section's template changed: both schematrons must complain. */
const breakDocument = (xml: string): string =>
  xml
    .replace('<title>Compte rendu d&apos;examens biologiques</title>', '<title>CR</title>')
    .replace('<templateId root="1.2.250.1.213.1.1.2.243"/>', '<templateId root="1.2.250.1.213.1.1.2.999"/>');

describe('generated CR-BIO documents and the ANS rules', () => {
  it('the fixtures mirroring the official examples (and more) give 0 XSD and 0 schematron errors, as validate-cda says too', async () => {
    const gate = await createConformanceGate({ ansKit: ANS_KIT });
    assert.deepEqual(gate.layers, ['own-rules', 'xsd', 'header-structurationMinimale', 'CR-BIO-2024.01']);
    const docs = CDA_FIXTURES.map((f) => {
      const built = buildFixture(f);
      assert.deepEqual(built.issues.filter((i) => i.severity === 'error'), [], f.name);
      assert.equal(built.xml, readFileSync(path.join(goldenDir, `${f.name}.xml`), 'utf8'), `${f.name}: golden file is stale`);
      return built.xml;
    });
    // and one with the PDF copy rendered by the gateway (pdf-lib) instead of a fixed test PDF
    const micro = loadReport('micro_v1');
    const rendered = buildCrBio(micro, versionFor(1, 'rendered-pdf'), testSettings, { pdf: await renderReportPdf(micro, testSettings, '2024-01-04T11:25:00+01:00') });
    const names = [...CDA_FIXTURES.map((f) => f.name), 'micro_v1 with rendered PDF'];
    docs.push(rendered.xml);
    assert.ok(docs.length <= 20);
    const broken = breakDocument(docs[0]!);
    // The official script on one valid and the broken document, at the same time as the gate's batch.
    const good = docs[CDA_FIXTURES.findIndex((f) => f.name === 'micro_v2')]!;
    const files = [path.join(dir, 'micro_v2.xml'), path.join(dir, 'broken.xml')];
    writeFileSync(files[0]!, good);
    writeFileSync(files[1]!, broken);
    const [results, official] = await Promise.all([gate.validateBatch([...docs, broken]), validateWithAns(files, 2)]);

    const errors = results.slice(0, -1).map((r, i) => ({ name: names[i], errors: r.filter((x) => x.severity === 'error') }));
    assert.deepEqual(errors.filter((e) => e.errors.length > 0), []);
    const brokenIssues = results.at(-1)!;
    assert.ok(ansErrors(brokenIssues).sch >= 2, JSON.stringify(brokenIssues, null, 1));
    assert.ok(brokenIssues.some((i) => i.code === 'CDA_TITLE' && i.path === '/ClinicalDocument[1]/title[1]'));
    // the gate finds what the official validate-cda finds
    const ours = [results[CDA_FIXTURES.findIndex((f) => f.name === 'micro_v2')]!, brokenIssues];
    assert.deepEqual(official.map((v) => ({ xsd: v.xsdErrors, sch: v.schematronErrors })), ours.map(ansErrors), official.map((v) => v.output).join('\n'));
    assert.deepEqual(ansErrors(ours[0]!), { xsd: 0, sch: 0 });
  });
});
