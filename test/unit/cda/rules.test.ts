import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkCrBio, xpathOf } from '../../../src/core/cda/rules.js';
import { goldenDir } from '../../fixtures/cda/settings.js';
import { parse, templated } from './dom.js';

const golden = (n: string): string => readFileSync(path.join(goldenDir, `${n}.xml`), 'utf8');

describe('own CR-BIO rules', () => {
  it('accept every golden document', () => {
    for (const n of ['tsh', 'micro_v1', 'micro_v2', 'crp_local', 'multi_chapter_unqualified']) {
      assert.deepEqual(checkCrBio(golden(n)), [], n);
    }
  });

  it('report each broken rule with its XPath', () => {
    const xml = golden('micro_v2')
      .replace('<title>Compte rendu d&apos;examens biologiques</title>', '<title>CR</title>')
      .replace('<versionNumber value="2"/>', '<versionNumber value="0"/>')
      .replace('<given qualifier="BR">DOMINIQUE</given>', '')
      .replace('mediaType="application/pdf"', 'mediaType="text/plain"')
      .replace('<reference value="#res-1"/>', '<reference value="#nowhere"/>');
    const codes = checkCrBio(xml).map((i) => `${i.code} ${i.path}`);
    assert.ok(codes.includes('CDA_TITLE /ClinicalDocument[1]/title[1]'), codes.join('\n'));
    assert.ok(codes.includes('CDA_VERSION_INVALID /ClinicalDocument[1]/versionNumber[1]'));
    assert.ok(codes.includes('CDA_INS_TRAITS /ClinicalDocument[1]/recordTarget[1]/patientRole[1]/patient[1]/name[1]'));
    assert.ok(codes.some((c) => c.startsWith('CDA_PDF_CONTENT /ClinicalDocument[1]/component[1]/structuredBody[1]/component[')));
    assert.ok(codes.some((c) => /^CDA_NARRATIVE_REFERENCE \/ClinicalDocument\[1\]\/component\[1\]\/structuredBody\[1\].*observation\[1\]\/code\[1\]/.test(c)), codes.join('\n'));
  });

  it('report a version after the first without RPLC, two reference ranges, and a document that is not XML', () => {
    const v2 = golden('micro_v2').replace(/<relatedDocument[\s\S]*?<\/relatedDocument>/, '');
    assert.deepEqual(checkCrBio(v2).map((i) => i.code), ['CDA_RPLC_MISSING']);
    const tsh = golden('tsh');
    const twice = tsh.replace(/(<referenceRange[\s\S]*?<\/referenceRange>)/, '$1$1');
    assert.deepEqual(checkCrBio(twice).map((i) => i.code), ['CDA_REFERENCE_RANGE']);
    assert.deepEqual(checkCrBio('<ClinicalDocument><oops></ClinicalDocument>').map((i) => i.code), ['XML_NOT_WELL_FORMED']);
    const ctl = checkCrBio(tsh.replace('<title>', '<title>\u0002'));
    assert.deepEqual(ctl.map((i) => i.code), ['XML_NOT_WELL_FORMED']);
    assert.match(ctl[0]!.message, /line \d+ holds a character XML 1.0 does not allow/);
  });

  it('xpathOf counts same-name siblings from 1', () => {
    const doc = parse(golden('multi_chapter_unqualified'));
    const chapters = templated(doc, '1.3.6.1.4.1.19376.1.3.3.2.1');
    assert.equal(xpathOf(chapters[2]!), '/ClinicalDocument[1]/component[1]/structuredBody[1]/component[3]/section[1]');
  });
});
