import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateIdentity, mayQueryInsi } from '../../../src/core/ins/gate.js';
import { recommendQualification, type CandidateIdentity } from '../../../src/core/ins/qualification.js';
import type { PatientIdentity } from '../../../src/core/report/model.js';
import { REFERENCES } from '../../fixtures/ins/identity-pairs.js';

const PRODUCTION = ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9'];
const SANDBOX = [...PRODUCTION, '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11'];

/** The CI-SIS test patient, qualified, with an ID-document check. */
const patTrois: PatientIdentity = {
  ins: { value: '279035121518989', oid: '1.2.250.1.213.1.4.10' },
  identifiers: [{ system: '1.2.250.1.999.1.1', value: 'IPP123' }],
  birthName: 'PAT-TROIS',
  birthGivenNames: 'DOMINIQUE MARIE-LOUISE',
  firstGivenName: 'DOMINIQUE',
  sex: 'F',
  birthDate: '1979-03-28',
  birthPlaceCog: '51215',
  status: 'QUAL',
  attributes: [],
  evidence: { documentType: 'CNI', checkedOn: '2026-01-10' },
};

const codes = (d: { reasons: readonly { code: string; severity: string }[] }) =>
  d.reasons.filter((r) => r.severity !== 'information').map((r) => r.code).sort();

describe('identity gate', () => {
  it('passes a QUAL identity with a valid INS of an accepted OID and consistent traits', () => {
    const d = evaluateIdentity(patTrois, { acceptedOids: SANDBOX });
    assert.equal(d.outcome, 'pass', JSON.stringify(d.reasons));
    assert.deepEqual(codes(d), []);
  });

  for (const status of ['PROV', 'RECUP', 'VALI'] as const) {
    it(`holds a ${status} identity even when everything else is right (never promotes to QUAL)`, () => {
      const d = evaluateIdentity({ ...patTrois, status }, { acceptedOids: SANDBOX });
      assert.equal(d.outcome, 'hold');
      assert.deepEqual(codes(d), ['IDENTITY_NOT_QUALIFIED']);
      assert.match(d.reasons[0]?.message ?? '', new RegExp(`status is ${status}`));
    });
  }

  it('holds DOUT and FICT identities, even marked QUAL, and never lets them query INSi', () => {
    const dout = evaluateIdentity({ ...patTrois, attributes: ['DOUT'] }, { acceptedOids: SANDBOX });
    assert.deepEqual(codes(dout), ['IDENTITY_DOUBTFUL']);
    const fict = evaluateIdentity({ ...patTrois, attributes: ['FICT'] }, { acceptedOids: SANDBOX });
    assert.deepEqual(codes(fict), ['IDENTITY_FICTITIOUS']);
    assert.equal(mayQueryInsi({ attributes: ['DOUT'] }).ok, false);
    assert.equal(mayQueryInsi({ attributes: ['HOMONYME'] }).ok, true);
  });

  it('production refuses the test INS OID; unknown OIDs are named', () => {
    assert.deepEqual(codes(evaluateIdentity(patTrois, { acceptedOids: PRODUCTION })), ['INS_OID_NOT_ACCEPTED']);
    const d = evaluateIdentity({ ...patTrois, ins: { value: '279035121518989', oid: '1.2.250.1.213.1.4.2' } }, { acceptedOids: SANDBOX });
    assert.deepEqual(codes(d), ['INS_OID_UNKNOWN']);
  });

  it('holds a wrong key without echoing the matricule', () => {
    const d = evaluateIdentity({ ...patTrois, ins: { value: '279035121518988', oid: '1.2.250.1.213.1.4.10' } }, { acceptedOids: SANDBOX });
    assert.deepEqual(codes(d), ['NIR_KEY_MISMATCH']);
    assert.ok(d.reasons.every((r) => !r.message.includes('2790351215189')));
  });

  it('holds a missing INS and missing strict traits, collecting every reason', () => {
    const { ins: _ins, ...noIns } = patTrois;
    const d = evaluateIdentity({ ...noIns, birthPlaceCog: undefined, sex: 'U' }, { acceptedOids: SANDBOX });
    assert.deepEqual(codes(d), ['IDENTITY_TRAIT_MISSING', 'IDENTITY_TRAIT_MISSING', 'INS_MISSING']);
  });

  it('checks the matricule against the traits: sex digit, year, month, département', () => {
    assert.deepEqual(codes(evaluateIdentity({ ...patTrois, sex: 'M' }, { acceptedOids: SANDBOX })), ['NIR_SEX_MISMATCH']);
    assert.deepEqual(codes(evaluateIdentity({ ...patTrois, birthDate: '1978-03-28' }, { acceptedOids: SANDBOX })), ['NIR_YEAR_MISMATCH']);
    assert.deepEqual(codes(evaluateIdentity({ ...patTrois, birthDate: '1979-04-28' }, { acceptedOids: SANDBOX })), ['NIR_MONTH_MISMATCH']);
    assert.deepEqual(codes(evaluateIdentity({ ...patTrois, birthDate: '1979-00-00' }, { acceptedOids: SANDBOX })), ['NIR_MONTH_UNKNOWN_IN_TRAITS']);
    assert.deepEqual(codes(evaluateIdentity({ ...patTrois, birthPlaceCog: '63220' }, { acceptedOids: SANDBOX })), ['NIR_DEPARTMENT_MISMATCH']);
    assert.deepEqual(codes(evaluateIdentity({ ...patTrois, birthPlaceCog: '99135' }, { acceptedOids: SANDBOX })), ['NIR_PLACE_MISMATCH']);
    // Another commune of the same département is only information (communes merge).
    const d = evaluateIdentity({ ...patTrois, birthPlaceCog: '51454' }, { acceptedOids: SANDBOX });
    assert.equal(d.outcome, 'pass');
    assert.ok(d.reasons.some((r) => r.code === 'NIR_COMMUNE_DIFFERS' && r.severity === 'information'));
  });

  it('allows the NIR special cases: special month, Corsica 20 before 1976, born abroad', () => {
    const base = { ...patTrois, birthName: 'X', birthGivenNames: 'Y', firstGivenName: 'Y' };
    // 155207505601266: month 20 (unknown at registration), département 75.
    const special = evaluateIdentity({ ...base, ins: { value: '155207505601266', oid: '1.2.250.1.213.1.4.8' }, sex: 'M', birthDate: '1955-06-01', birthPlaceCog: '75056' }, { acceptedOids: PRODUCTION });
    assert.equal(special.outcome, 'pass', JSON.stringify(special.reasons));
    // 165092000412306: département 20 (Corsica before the split), COG 2A004.
    const corsica = evaluateIdentity({ ...base, ins: { value: '165092000412306', oid: '1.2.250.1.213.1.4.8' }, sex: 'M', birthDate: '1965-09-12', birthPlaceCog: '2A004' }, { acceptedOids: PRODUCTION });
    assert.equal(corsica.outcome, 'pass', JSON.stringify(corsica.reasons));
    const abroad = evaluateIdentity({ ...base, ins: { value: '185079913502315', oid: '1.2.250.1.213.1.4.8' }, sex: 'M', birthDate: '1985-07-02', birthPlaceCog: '99135' }, { acceptedOids: PRODUCTION });
    assert.equal(abroad.outcome, 'pass', JSON.stringify(abroad.reasons));
    const otherCountry = evaluateIdentity({ ...base, ins: { value: '185079913502315', oid: '1.2.250.1.213.1.4.8' }, sex: 'M', birthDate: '1985-07-02', birthPlaceCog: '99134' }, { acceptedOids: PRODUCTION });
    assert.deepEqual(codes(otherCountry), ['NIR_COUNTRY_MISMATCH']);
  });

  it('holds when the first first name is not the first of the list', () => {
    assert.deepEqual(codes(evaluateIdentity({ ...patTrois, firstGivenName: 'MARIE-LOUISE' }, { acceptedOids: SANDBOX })), ['FIRST_NAME_NOT_FIRST_OF_LIST']);
  });

  it('compares with the INS traits on record: consistent passes, review and mismatch hold', () => {
    const known = { ...REFERENCES.PAT_TROIS, ins: '279035121518989' };
    const ok = evaluateIdentity({ ...patTrois, birthName: 'Pat-Trois' }, { acceptedOids: SANDBOX, knownInsTraits: known });
    assert.equal(ok.outcome, 'pass');
    assert.equal(ok.comparison?.decision, 'consistent');
    const review = evaluateIdentity({ ...patTrois, birthName: 'TROIS-PAT' }, { acceptedOids: SANDBOX, knownInsTraits: known });
    assert.equal(review.outcome, 'hold');
    assert.deepEqual(codes(review), ['TRAIT_COMPOUND_NAME_ORDER']);
    const other = evaluateIdentity(patTrois, { acceptedOids: SANDBOX, knownInsTraits: { ...known, ins: '275126322074974' } });
    assert.deepEqual(codes(other), ['INS_DIFFERS_FROM_RECORD']);
  });

  it('QUAL without ID-document evidence passes with a note, or holds when evidence is required', () => {
    const { evidence: _e, ...noEvidence } = patTrois;
    assert.equal(evaluateIdentity(noEvidence, { acceptedOids: SANDBOX }).outcome, 'pass');
    assert.deepEqual(codes(evaluateIdentity(noEvidence, { acceptedOids: SANDBOX, requireEvidence: true })), ['IDENTITY_EVIDENCE_MISSING']);
  });
});

describe('qualification recommendation', () => {
  const cand: CandidateIdentity = { ...REFERENCES.ADRUN, status: 'PROV', attributes: [] };
  const answer = { kind: 'answer', code: '00', ins: '275126322074974', oid: '1.2.250.1.213.1.4.8', traits: REFERENCES.ADRUN } as const;
  it('00 with consistent traits: can become RECUP; QUAL needs the ID document', () => {
    const a = recommendQualification(cand, answer);
    assert.equal(a.recommendation, 'CAN_BECOME_RECUP');
    assert.match(a.explanation, /QUAL needs/);
  });
  it('00 with an ID-document check recorded: staff may set QUAL (the gateway does not)', () => {
    assert.equal(recommendQualification({ ...cand, status: 'VALI', evidence: { documentType: 'PASSEPORT' } }, answer).recommendation, 'CAN_BECOME_QUAL');
  });
  it('00 with a mismatch, a close match, another INS; 01; 02; DOUT; a fault', () => {
    assert.equal(recommendQualification({ ...cand, sex: 'M' }, answer).recommendation, 'MISMATCH');
    assert.equal(recommendQualification({ ...cand, birthName: 'ADRUNE' }, answer).recommendation, 'NEEDS_REVIEW');
    assert.equal(recommendQualification({ ...cand, ins: '297022A02077878' }, answer).recommendation, 'MISMATCH');
    assert.equal(recommendQualification({ ...cand, status: 'QUAL', ins: '275126322074974' }, answer).recommendation, 'ALREADY_QUALIFIED');
    assert.equal(recommendQualification(cand, { kind: 'answer', code: '01' }).recommendation, 'NOT_FOUND');
    assert.equal(recommendQualification(cand, { kind: 'answer', code: '02' }).recommendation, 'SEVERAL_FOUND');
    assert.equal(recommendQualification({ ...cand, attributes: ['DOUT'] }, answer).recommendation, 'NOT_QUERIED');
    assert.equal(recommendQualification(cand, { kind: 'error', code: 'INSI_TIMEOUT', message: 'no answer' }).recommendation, 'ERROR');
  });
  it('a returned matricule whose key does not verify is reported, not corrected (HERMANN)', () => {
    const h = { birthName: 'HERMANN', birthGivenNames: 'GATIEN', sex: 'M', birthDate: '1981-03-24', birthPlaceCog: '63220' } as const;
    const a = recommendQualification({ ...h, status: 'PROV', attributes: [] }, { kind: 'answer', code: '00', ins: '181036322045660', oid: '1.2.250.1.213.1.4.8', traits: h });
    assert.equal(a.recommendation, 'NEEDS_REVIEW');
    assert.match(a.explanation, /NIR_KEY_MISMATCH/);
  });
});
