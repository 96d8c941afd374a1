/**
 * Every HL7 v2 ORU and FHIR fixture of the intake, parsed by the real intake parsers, gives a CR-BIO that passes
 * ANS's rules (CDA XSD + header + CR-BIO 2024.01 schematrons) with 0 errors: one batch through the gate. Every file
 * of test/fixtures/hl7v2 and test/fixtures/fhir is in it (microbiology with isolates from both formats).
 * The one exception is a fixture whose identity can give no patient id at all (INS not qualified, no IPP):
 * there the builder and our rules say so, and the identity gate holds it upstream anyway.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFhirBundle } from '../../src/adapters/fhir-input/parse.js';
import { parseHl7v2Batch } from '../../src/adapters/hl7v2/parse.js';
import { createConformanceGate } from '../../src/adapters/validation/gate.js';
import { buildCrBio } from '../../src/core/cda/index.js';
import type { LabReport } from '../../src/core/report/model.js';
import { repoRoot, testSettings, tinyPdf, versionFor } from '../fixtures/cda/settings.js';

const ANS_KIT = path.resolve(repoRoot, '..', 'shared', 'reference', 'cda');
const fixtures = path.join(repoRoot, 'test', 'fixtures');
const NO_PATIENT_ID = new Set(['15-local-codes-escapes-corsica.hl7']);

const intakeReports = (): { name: string; report: LabReport }[] => {
  const out: { name: string; report: LabReport }[] = [];
  for (const f of readdirSync(path.join(fixtures, 'hl7v2')).sort()) {
    parseHl7v2Batch(readFileSync(path.join(fixtures, 'hl7v2', f)), { labOid: testSettings.lab.oid }).forEach((item, i) => {
      assert.ok(item.ok, `${f}: the intake refuses it`);
      out.push({ name: i === 0 ? f : `${f}#${i + 1}`, report: item.report });
    });
  }
  for (const f of readdirSync(path.join(fixtures, 'fhir')).sort()) {
    out.push({ name: f, report: parseFhirBundle(readFileSync(path.join(fixtures, 'fhir', f))).report });
  }
  return out;
};

describe('intake fixtures → CR-BIO → ANS rules', () => {
  it('all give 0 XSD and 0 schematron errors', async () => {
    const reports = intakeReports();
    assert.ok(reports.length >= 20, `${reports.length} intake reports`);
    // 05 partial → 06 final → 07 corrected: one report, three versions (same setId, versionNumber + 1, RPLC)
    const chain = ['05-version-partial.hl7', '06-version-final.hl7', '07-version-corrected.hl7'];
    const versionOf = (name: string) => (chain.includes(name) ? versionFor(chain.indexOf(name) + 1, 'version-chain') : versionFor(1, name));
    const built = reports.map((r) => ({ ...r, built: buildCrBio(r.report, versionOf(r.name), testSettings, { pdf: tinyPdf() }) }));
    const chained = chain.map((n) => built.find((b) => b.name === n)!.built.xml);
    assert.deepEqual(chained.map((x) => /<lab:statusCode code="(\w+)"/.exec(x)?.[1]), ['active', 'completed', 'completed']);
    assert.deepEqual(chained.map((x) => /<versionNumber value="(\d)"/.exec(x)?.[1]), ['1', '2', '3']);
    assert.equal(new Set(chained.map((x) => /<setId root="([^"]+)"/.exec(x)?.[1])).size, 1);
    assert.deepEqual(
      chained.map((x) => /<relatedDocument typeCode="RPLC">\s*<parentDocument>\s*<id root="([^"]+)"/.exec(x)?.[1]),
      [undefined, versionOf(chain[0]!).documentId, versionOf(chain[1]!).documentId],
    );
    // The FHIR microbiology bundle is in the batch, with its two isolates (FR-Isolat-microbiologique organizers).
    const micro = built.find((b) => b.name === '06-microbiology-isolates.json')?.built.xml ?? '';
    assert.deepEqual(
      [...micro.matchAll(/<specimenPlayingEntity classCode="MIC">\s*<code code="(\d+)"/g)].map((m) => m[1]),
      ['112283007', '3092008'],
    );
    for (const b of built) {
      const errors = b.built.issues.filter((i) => i.severity === 'error').map((i) => i.code);
      assert.deepEqual(errors, NO_PATIENT_ID.has(b.name) ? ['CDA_PATIENT_ID_MISSING'] : [], b.name);
    }
    const gate = await createConformanceGate({ ansKit: ANS_KIT });
    const results = await gate.validateBatch(built.map((b) => b.built.xml));
    const failing = results
      .map((r, i) => ({ name: built[i]!.name, errors: r.filter((x) => x.severity === 'error') }))
      .filter((r) => r.errors.length > 0);
    assert.deepEqual(failing.map((f) => f.name), [...NO_PATIENT_ID], JSON.stringify(failing, null, 1).slice(0, 4000));
    assert.ok(failing[0]!.errors.some((e) => e.code === 'CDA_PATIENT_ID_MISSING' && e.path === '/ClinicalDocument[1]/recordTarget[1]/patientRole[1]'));
  });
});
