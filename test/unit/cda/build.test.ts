import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildCrBio } from '../../../src/core/cda/index.js';
import type { LabReport } from '../../../src/core/report/model.js';
import { CDA_FIXTURES, buildFixture } from '../../fixtures/cda/fixtures.js';
import { goldenDir, loadReport, testSettings, tinyPdf, versionFor } from '../../fixtures/cda/settings.js';
import type { Element } from '@xmldom/xmldom';
import { all, at, attr, one, parse, templated } from './dom.js';

const build = (r: LabReport, n = 1) => buildCrBio(r, versionFor(n, 'unit'), testSettings, { pdf: tinyPdf() });

describe('CR-BIO builder: header', () => {
  const doc = parse(build(loadReport('tsh')).xml);
  const cd = one(doc, 'ClinicalDocument');

  it('declares the CI-SIS, IHE PaLM and CR-BIO templates and the fixed code and title', () => {
    const roots = at(cd, 'templateId').map((t) => attr(t, 'root'));
    assert.deepEqual(roots, ['2.16.840.1.113883.2.8.2.1', '1.2.250.1.213.1.1.1.1', '1.3.6.1.4.1.19376.1.3.3', '1.2.250.1.213.1.1.1.55']);
    const code = one(cd, 'code');
    assert.equal(attr(code, 'code'), '11502-2');
    assert.equal(attr(code, 'displayName'), "CR d'examens biologiques");
    assert.equal(one(cd, 'title').textContent, "Compte rendu d'examens biologiques");
    assert.equal(attr(one(cd, 'effectiveTime'), 'value'), '20210104161000+0100');
    assert.equal(attr(one(cd, 'confidentialityCode'), 'code'), 'N');
  });

  it('carries the qualified INS with the strict traits', () => {
    const ids = at(cd, 'recordTarget/patientRole/id');
    assert.equal(attr(ids[0]!, 'root'), '1.2.250.1.213.1.4.10');
    assert.equal(attr(ids[0]!, 'extension'), '279035121518989');
    const name = one(cd, 'recordTarget/patientRole/patient/name');
    const parts = Array.from(name.childNodes)
      .filter((n) => n.nodeType === 1)
      .map((n) => `${(n as Element).localName}:${(n as Element).getAttribute('qualifier') ?? ''}:${n.textContent}`);
    assert.deepEqual(parts, ['family:BR:PAT-TROIS', 'given::DOMINIQUE MARIE-LOUISE', 'given:BR:DOMINIQUE', 'family:CL:PAT-TROIS', 'given:CL:DOMINIQUE']);
    assert.equal(attr(one(cd, 'recordTarget/patientRole/patient/birthTime'), 'value'), '19790328');
    assert.equal(one(cd, 'recordTarget/patientRole/patient/birthplace/place/addr/county').textContent, '51215');
  });

  it('names the biologist author by RPPS (8 + RPPS) and the lab by FINESS (1 + FINESS)', () => {
    assert.equal(attr(one(cd, 'author/assignedAuthor/id'), 'extension'), '801234534765');
    assert.equal(attr(one(cd, 'author/assignedAuthor/representedOrganization/id'), 'extension'), '1120459876');
    assert.equal(attr(one(cd, 'legalAuthenticator/signatureCode'), 'code'), 'S');
    assert.equal(at(cd, 'authenticator').length, 1);
    assert.equal(one(cd, 'author/assignedAuthor/assignedPerson/name/suffix').textContent, 'DR');
  });

  it('uses the SIL as a device author when no biologist is named', () => {
    const d = parse(build(loadReport('tsh_sil_author')).xml);
    assert.equal(attr(one(d, 'ClinicalDocument/author/assignedAuthor/code'), 'code'), 'DISPOSITIF');
    assert.equal(one(d, 'ClinicalDocument/author/assignedAuthor/assignedAuthoringDevice/softwareName').textContent, 'SGL-TEST');
    // the validating biologist still signs
    assert.equal(attr(one(d, 'ClinicalDocument/legalAuthenticator/assignedEntity/id'), 'extension'), '801234534765');
  });

  it('has the prescriber (REF), collector (PRF), order, main act with lab:statusCode and the SA25 facility', () => {
    const refs = at(cd, 'participant').map((p) => attr(p, 'typeCode'));
    assert.deepEqual(refs, ['REF', 'PRF']);
    assert.equal(attr(one(cd, 'inFulfillmentOf/order/id'), 'extension'), '2014123456789');
    const se = at(cd, 'documentationOf/serviceEvent')[0]!;
    assert.equal(attr(one(se, 'statusCode'), 'code'), 'completed');
    assert.equal(one(se, 'statusCode').namespaceURI, 'urn:oid:1.3.6.1.4.1.19376.1.3.2');
    assert.equal(attr(one(cd, 'componentOf/encompassingEncounter/location/healthCareFacility/code'), 'code'), 'SA25');
  });
});

describe('CR-BIO builder: body', () => {
  it('puts results under chapter sections, with LOINC codes, UCUM units, one reference range and the narrative they reference', () => {
    const xml = build(loadReport('tsh')).xml;
    const doc = parse(xml);
    const chapters = templated(doc, '1.3.6.1.4.1.19376.1.3.3.2.1');
    assert.equal(chapters.length, 1);
    const obs = templated(doc, '1.3.6.1.4.1.19376.1.3.1.6');
    assert.equal(obs.length, 2);
    const tsh = obs[0]!;
    assert.equal(attr(one(tsh, 'code'), 'code'), '3016-3');
    const value = one(tsh, 'value');
    assert.equal(attr(value, 'xsi:type'), 'PQ');
    assert.equal(attr(value, 'unit'), 'm[IU]/L');
    assert.equal(at(tsh, 'referenceRange').length, 1);
    const ref = attr(one(tsh, 'code/originalText/reference'), 'value')!;
    const target = all(doc, 'content').find((c) => `#${c.getAttribute('ID')}` === ref);
    assert.equal(target?.textContent, 'Thyréostimuline (TSH)');
    // previous result (REFR) on FT4
    const refr = at(obs[1]!, 'entryRelationship').filter((e) => attr(e, 'typeCode') === 'REFR');
    assert.equal(refr.length, 1);
    assert.equal(attr(one(refr[0]!, 'observation/statusCode'), 'code'), 'completed');
  });

  it('sends a local code as a translation of an empty code (CRP example)', () => {
    const doc = parse(build(loadReport('crp_local')).xml);
    const o = templated(doc, '1.3.6.1.4.1.19376.1.3.1.6')[0]!;
    const code = one(o, 'code');
    assert.equal(code.getAttribute('code'), null);
    assert.equal(attr(one(code, 'translation'), 'code'), '1234');
    assert.equal(attr(one(code, 'translation'), 'codeSystem'), '1.2.250.1.999.1.5');
    const v = one(o, 'value');
    assert.equal(attr(v, 'xsi:type'), 'IVL_PQ');
    assert.equal(attr(one(v, 'high'), 'value'), '1.0');
    assert.equal(attr(one(v, 'high'), 'inclusive'), 'false');
  });

  it('sends two units as two observations with two LOINC codes', () => {
    const doc = parse(build(loadReport('glucose_two_units')).xml);
    const codes = templated(doc, '1.3.6.1.4.1.19376.1.3.1.6').map((o) => `${attr(one(o, 'code'), 'code')} ${attr(one(o, 'value'), 'unit')}`);
    assert.deepEqual(codes, ['40193-5 mmol/L', '53049-3 g/L']);
  });

  it('groups isolates with their organism and susceptibility results', () => {
    const doc = parse(build(loadReport('micro_v2'), 2).xml);
    const isolates = templated(doc, '1.3.6.1.4.1.19376.1.3.1.5');
    assert.equal(isolates.length, 2);
    assert.equal(attr(one(isolates[0]!, 'specimen/specimenRole/specimenPlayingEntity/code'), 'code'), '112283007');
    const amox = at(isolates[0]!, 'component/observation')[1]!;
    assert.equal(attr(one(amox, 'value/low'), 'inclusive'), 'true');
    assert.equal(attr(one(amox, 'interpretationCode'), 'code'), 'R');
  });

  it('marks a partial report active and its pending battery active', () => {
    const doc = parse(build(loadReport('micro_v1')).xml);
    assert.equal(attr(all(doc, 'lab:statusCode')[0]!, 'code'), 'active');
    const acts = templated(doc, '1.3.6.1.4.1.19376.1.3.1').map((e) => attr(one(e, 'act/statusCode'), 'code'));
    assert.deepEqual(acts, ['completed', 'completed', 'active']);
    assert.equal(at(one(doc, 'ClinicalDocument/documentationOf/serviceEvent/effectiveTime'), 'high').length, 0);
  });

  it('leaves out an unqualified INS, with a warning, and keeps the IPP', () => {
    const built = build(loadReport('multi_chapter_unqualified'));
    assert.deepEqual(built.issues.map((i) => i.code), ['CDA_INS_NOT_SENT']);
    const doc = parse(built.xml);
    const ids = at(doc, 'ClinicalDocument/recordTarget/patientRole/id').map((i) => attr(i, 'root'));
    assert.deepEqual(ids, ['1.2.250.1.999.1.1']);
    assert.equal(attr(one(doc, 'ClinicalDocument/recordTarget/patientRole/patient/birthTime'), 'value'), '1985');
    // HL7 v2 service section HM → Hématologie; three chapters in order, and documentationOf lists them
    const chapters = templated(doc, '1.3.6.1.4.1.19376.1.3.3.2.1').map((s) => attr(one(s, 'code'), 'code'));
    assert.deepEqual(chapters, ['18723-7', '18719-5', '18727-8']);
    assert.deepEqual(at(doc, 'ClinicalDocument/documentationOf/serviceEvent/code').map((c) => attr(c, 'code')), chapters);
    // a cancelled result is aborted, without value
    const k = templated(doc, '1.3.6.1.4.1.19376.1.3.1.6').find((o) => attr(one(o, 'code'), 'code') === '2823-3')!;
    assert.equal(attr(one(k, 'statusCode'), 'code'), 'aborted');
    assert.equal(at(k, 'value').length, 0);
    // a comma decimal is normalised
    const wbc = templated(doc, '1.3.6.1.4.1.19376.1.3.1.6').find((o) => attr(one(o, 'code'), 'code') === '6690-2')!;
    assert.equal(attr(one(wbc, 'value'), 'value'), '7.2');
  });

  it('embeds the PDF copy (FR-Document-PDF-copie) and prefers the SIL PDF when sent', () => {
    const doc = parse(build(loadReport('tsh')).xml);
    const media = all(doc, 'observationMedia')[0]!;
    assert.equal(Buffer.from(one(media, 'value').textContent ?? '', 'base64').subarray(0, 5).toString(), '%PDF-');
    const silPdf = Buffer.from('%PDF-1.7 sil').toString('base64');
    const withSil = parse(build({ ...loadReport('tsh'), pdf: { base64: silPdf } }).xml);
    assert.equal(one(all(withSil, 'observationMedia')[0]!, 'value').textContent, silPdf);
    const notPdf = build({ ...loadReport('tsh'), pdf: { base64: Buffer.from('<html>no</html>').toString('base64') } });
    assert.deepEqual(notPdf.issues.map((i) => [i.severity, i.code]), [['error', 'CDA_PDF_INVALID']]);
    const none = buildCrBio(loadReport('tsh'), versionFor(1, 'unit'), testSettings);
    assert.ok(none.issues.some((i) => i.code === 'CDA_PDF_MISSING' && i.severity === 'error'));
  });
});

describe('CR-BIO builder: versions and bytes', () => {
  it('a new version keeps the setId, raises versionNumber and replaces the previous id (RPLC)', () => {
    const v1 = parse(build(loadReport('micro_v1'), 1).xml);
    const v2 = parse(build(loadReport('micro_v2'), 2).xml);
    const setId = (d: ReturnType<typeof parse>) => attr(one(d, 'ClinicalDocument/setId'), 'root');
    assert.equal(setId(v1), setId(v2));
    assert.equal(attr(one(v2, 'ClinicalDocument/versionNumber'), 'value'), '2');
    assert.equal(at(v1, 'ClinicalDocument/relatedDocument').length, 0);
    const rplc = one(v2, 'ClinicalDocument/relatedDocument');
    assert.equal(attr(rplc, 'typeCode'), 'RPLC');
    assert.equal(attr(one(rplc, 'parentDocument/id'), 'root'), attr(one(v1, 'ClinicalDocument/id'), 'root'));
    assert.notEqual(attr(one(v2, 'ClinicalDocument/id'), 'root'), attr(one(v1, 'ClinicalDocument/id'), 'root'));
  });

  it('reports a later version without RPLC and a bad document time', () => {
    const r = buildCrBio(loadReport('tsh'), { documentId: '1.2.3.4', setId: '1.2.3', versionNumber: 2, effectiveTime: '2021-01-04' }, testSettings, { pdf: tinyPdf() });
    assert.deepEqual(r.issues.map((i) => i.code).sort(), ['CDA_EFFECTIVE_TIME_INVALID', 'CDA_RPLC_MISSING']);
  });

  it('same input, ids and time give the same bytes, equal to the golden files', () => {
    for (const f of CDA_FIXTURES) {
      const a = buildFixture(f).xml;
      assert.equal(buildFixture(f).xml, a, f.name);
      assert.equal(a, readFileSync(path.join(goldenDir, `${f.name}.xml`), 'utf8'), `${f.name} differs from its golden file`);
    }
  });

  it('escapes markup in text instead of breaking the document', () => {
    const r = loadReport('tsh');
    const tricky: LabReport = { ...r, comments: ['<b>Résultat</b> & "suite" </text>'] };
    const doc = parse(build(tricky).xml);
    const para = templated(doc, '1.3.6.1.4.1.19376.1.4.1.2.16')[0]!;
    assert.equal(one(para, 'text/paragraph').textContent, '<b>Résultat</b> & "suite" </text>');
  });
});
