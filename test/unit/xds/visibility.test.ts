import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideDelivery, decideVisibility, parseVisibilityRules } from '../../../src/core/xds/index.js';
import { defaultDmpFlags, type LabReport } from '../../../src/core/report/model.js';

const report = (flags: Partial<LabReport['flags']> = {}, loinc = '2986-8'): LabReport => ({
  sender: 'SIL', messageId: 'M1', accessionNumber: 'A1', status: 'final', reportedAt: '2026-01-01T10:00:00+01:00', comments: [], sourceFormat: 'hl7v2',
  flags: { ...defaultDmpFlags, ...flags },
  patient: { identifiers: [], birthName: 'X', birthGivenNames: 'Y', firstGivenName: 'Y', sex: 'F', birthDate: '1980-01-01', status: 'QUAL', attributes: [] },
  batteries: [{ code: { code: 'B', system: '1.2.3' }, status: 'final', sourcePath: 'OBR[1]', isolates: [], observations: [
    { code: { code: loinc, system: '2.16.840.1.113883.6.1' }, interpretations: [], status: 'final', comments: [], previous: [], sourcePath: 'OBX[1]' },
  ] }],
});

describe('DMP visibility and opposition (standards.md §4.7)', () => {
  const { rules, issues } = parseVisibilityRules(['7918-6=INVISIBLE_PATIENT+INVISIBLE_REPRESENTANTS_LEGAUX', '94500-6=MASQUE_PS']);
  it('parses lab rules and reports bad ones with their index', () => {
    assert.deepEqual(issues, []);
    assert.equal(rules.length, 2);
    const bad = parseVisibilityRules(['7918-6=HIDDEN', 'nonsense']);
    assert.deepEqual(bad.issues.map((i) => i.path), ['dmp.visibilityRules[0]', 'dmp.visibilityRules[1]']);
    assert.match(bad.issues[0]?.message ?? '', /unknown: HIDDEN/);
  });
  it('maps the SIL flags (INVISIBLE_REP_LEGAUX → INVISIBLE_REPRESENTANTS_LEGAUX)', () => {
    assert.deepEqual(decideVisibility(report({ invisibleToLegalRepresentatives: true, maskedFromProfessionals: true }), []), ['INVISIBLE_REPRESENTANTS_LEGAUX', 'MASQUE_PS']);
    assert.deepEqual(decideVisibility(report(), rules), []);
  });
  it('applies a per-LOINC rule when the report holds that result', () => {
    assert.deepEqual(decideVisibility(report({}, '7918-6'), rules), ['INVISIBLE_PATIENT', 'INVISIBLE_REPRESENTANTS_LEGAUX']);
    assert.deepEqual(decideVisibility(report({ invisibleToPatient: true }, '94500-6'), rules), ['INVISIBLE_PATIENT', 'MASQUE_PS']);
  });
  it('sends nothing when the patient opposed, even with flags set', () => {
    assert.equal(decideDelivery(report({ patientOpposed: true, invisibleToPatient: true }), rules).kind, 'opposed');
    assert.equal(decideDelivery(report({ sendToDmp: false }), rules).kind, 'not_requested');
    assert.deepEqual(decideDelivery(report({}, '7918-6'), rules), { kind: 'send', visibility: ['INVISIBLE_PATIENT', 'INVISIBLE_REPRESENTANTS_LEGAUX'] });
  });
});
