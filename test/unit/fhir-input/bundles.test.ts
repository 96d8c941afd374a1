/**
 * FHIR R4 Bundles (test/fixtures/fhir) → the same LabReport as HL7 v2: goldens plus hand-checked key fields, and
 * malformed bundles refused with a code and a JSON path.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFhirBundle } from '../../../src/adapters/fhir-input/parse.js';
import { GatewayError } from '../../../src/core/errors/index.js';
import { assertGolden, fixture } from '../hl7v2/golden.js';

const load = (name: string): ReturnType<typeof parseFhirBundle> => parseFhirBundle(fixture('fhir', `${name}.json`));
const json = (name: string): Record<string, unknown> => JSON.parse(fixture('fhir', `${name}.json`).toString('utf8')) as Record<string, unknown>;
const NAMES = ['01-biochemistry-final', '02-haematology-panel', '03-partial-nia-doubtful', '04-masked-opposed-pdf', '05-serology-coded', '06-microbiology-isolates'];

describe('FHIR bundles → golden LabReport', () => {
  for (const n of NAMES) {
    it(n, () => {
      const p = load(n);
      assertGolden(`fhir-${n}`, { report: p.report, issues: p.issues });
    });
  }
});

describe('FHIR bundles: key fields checked by hand', () => {
  it('biochemistry: identity, INS, names, practitioners, values, ranges, times', () => {
    const { report: r, issues } = load('01-biochemistry-final');
    assert.deepEqual(issues, []);
    assert.equal(r.sourceFormat, 'fhir');
    assert.equal(r.sender, 'urn:oid:1.2.250.1.999.1.5');
    assert.equal(r.messageId, 'FHIR-MSG-0001');
    assert.equal(r.accessionNumber, 'ACC-F-0001');
    assert.deepEqual(r.patient.ins, { value: '185076912304596', oid: '1.2.250.1.213.1.4.8' });
    assert.deepEqual(r.patient.identifiers, [{ system: '1.2.250.1.999.1.1', value: 'IPP-pat' }]);
    assert.equal(r.patient.birthName, 'MARTIN');
    assert.equal(r.patient.birthGivenNames, 'JEAN PIERRE');
    assert.equal(r.patient.firstGivenName, 'JEAN');
    assert.equal(r.patient.usedName, 'DURAND-MARTIN');
    assert.equal(r.patient.sex, 'M');
    assert.equal(r.patient.birthDate, '1985-07-14');
    assert.equal(r.patient.birthPlaceCog, '69123');
    assert.equal(r.patient.status, 'QUAL');
    assert.deepEqual(r.patient.evidence, { documentType: 'CN', checkedOn: '2026-03-01' });
    assert.equal(r.prescriber?.rpps, '10000000012');
    assert.equal(r.responsibleBiologist?.rpps, '10001234567');
    assert.equal(r.reportedAt, '2026-03-10T14:25:00+01:00');
    assert.equal(r.orderedAt, '2026-03-10T08:00:00+01:00');
    const o = r.batteries[0]?.observations[0];
    assert.deepEqual(o?.value, { type: 'quantity', value: '6.2', unit: 'mmol/L' });
    assert.deepEqual(o?.referenceRange, { low: '3.9', high: '5.8', unit: 'mmol/L' });
    assert.deepEqual(o?.interpretations, ['H']);
    assert.deepEqual(o?.comments, ['Patient non à jeun']);
    assert.equal(o?.sourcePath, '$.entry[6]');
    assert.deepEqual(r.batteries[0]?.observations[1]?.value, { type: 'quantity', value: '9.1', unit: 'mg/L' });
    assert.deepEqual(r.batteries[0]?.specimen?.type, { code: 'SER', system: '2.16.840.1.113883.18.311', display: 'Serum' });
  });

  it('haematology: a panel (hasMember) becomes one battery with its members', () => {
    const { report: r } = load('02-haematology-panel');
    assert.equal(r.batteries.length, 1);
    assert.equal(r.batteries[0]?.code.code, '58410-2');
    assert.deepEqual(r.batteries[0]?.observations.map((o) => o.code.code), ['6690-2', '718-7', '777-3']);
    assert.deepEqual(r.batteries[0]?.observations[0]?.value, { type: 'quantity', value: '11.8', unit: '10*9/L' });
    assert.deepEqual(r.patient.ins, { value: '279035121518989', oid: '1.2.250.1.213.1.4.10' });
  });

  it('partial report, NIA, PROV with DOUTE, birth date without day', () => {
    const { report: r } = load('03-partial-nia-doubtful');
    assert.equal(r.status, 'partial');
    assert.deepEqual(r.patient.ins, { value: '162039913500133', oid: '1.2.250.1.213.1.4.9' });
    assert.equal(r.patient.status, 'PROV');
    assert.deepEqual(r.patient.attributes, ['DOUT']);
    assert.equal(r.patient.birthDate, '1962-03-00');
    assert.equal(r.batteries[0]?.observations[1]?.status, 'preliminary');
    assert.equal(r.batteries[0]?.observations[1]?.value, undefined);
  });

  it('visibility codes, opposition (Consent deny) and the PDF', () => {
    const { report: r } = load('04-masked-opposed-pdf');
    assert.equal(r.flags.maskedFromProfessionals, true);
    assert.equal(r.flags.invisibleToPatient, true);
    assert.equal(r.flags.invisibleToLegalRepresentatives, false);
    assert.equal(r.flags.patientOpposed, true);
    assert.ok(Buffer.from(r.pdf?.base64 ?? '', 'base64').toString('latin1').startsWith('%PDF-'));
  });

  it('serology: coded, comparator, text values and a local code', () => {
    const p = load('05-serology-coded');
    const obs = p.report.batteries[0]?.observations ?? [];
    assert.deepEqual(obs[0]?.value, { type: 'coded', code: { code: '10828004', system: '2.16.840.1.113883.6.96', display: 'Positive' } });
    assert.deepEqual(obs[0]?.interpretations, ['POS']);
    assert.deepEqual(obs[1]?.value, { type: 'quantity', value: '0.05', unit: '[IU]/mL', comparator: '<' });
    assert.deepEqual(obs[1]?.referenceRange, { text: '< 0.05' });
    assert.deepEqual(obs[2]?.value, { type: 'text', text: '1:16' });
    assert.deepEqual(obs[3]?.code, { code: 'SERO-X', system: '1.2.250.1.999.1', display: 'Sérologie locale' });
    assert.deepEqual(p.issues.map((i) => `${i.code}@${i.path}`), ['HL7_NO_LOINC@$.entry[9].resource.code']);
  });
});

type Json = Record<string, unknown>;
const entries = (b: Json): Json[] => b['entry'] as Json[];
const res = (b: Json, type: string): Json => entries(b).map((e) => e['resource'] as Json).find((r) => r['resourceType'] === type) as Json;
const patientOf = (b: Json): Json => res(b, 'Patient');

const BAD: { name: string; build: () => string | Buffer; code: string; path: string }[] = [
  { name: 'not JSON', build: () => 'MSH|^~\\&|', code: 'FHIR_NOT_JSON', path: '$' },
  { name: 'not UTF-8', build: () => Buffer.from([0x7b, 0xff, 0x7d]), code: 'FHIR_NOT_JSON', path: '$' },
  { name: 'a Patient, not a Bundle', build: () => JSON.stringify({ resourceType: 'Patient' }), code: 'FHIR_NOT_BUNDLE', path: '$.resourceType' },
  { name: 'a JSON array', build: () => '[]', code: 'FHIR_NOT_BUNDLE', path: '$.resourceType' },
  {
    name: 'no DiagnosticReport',
    build: () => {
      const b = json('01-biochemistry-final');
      b['entry'] = entries(b).slice(1);
      return JSON.stringify(b);
    },
    code: 'FHIR_RESOURCE_MISSING',
    path: '$.entry',
  },
  {
    name: 'no Bundle.identifier',
    build: () => {
      const b = json('01-biochemistry-final');
      delete b['identifier'];
      return JSON.stringify(b);
    },
    code: 'FHIR_REQUIRED_ELEMENT_MISSING',
    path: '$.identifier.value',
  },
  {
    name: 'subject reference unresolved',
    build: () => {
      const b = json('01-biochemistry-final');
      res(b, 'DiagnosticReport')['subject'] = { reference: 'Patient/nobody' };
      return JSON.stringify(b);
    },
    code: 'FHIR_REFERENCE_UNRESOLVED',
    path: '$.entry[0].resource.subject.reference',
  },
  {
    name: 'invalid INS key',
    build: () => {
      const b = json('01-biochemistry-final');
      ((patientOf(b)['identifier'] as Json[])[0] as Json)['value'] = '185076912304597';
      return JSON.stringify(b);
    },
    code: 'REPORT_INS_KEY_MISMATCH',
    path: '$.entry[1].resource.identifier[0].value',
  },
  {
    name: 'identity status unknown',
    build: () => JSON.stringify(json('01-biochemistry-final')).replace('"code":"QUAL"', '"code":"QUALIFIEE"'),
    code: 'REPORT_IDENTITY_STATUS_INVALID',
    path: '$.entry[1].resource.extension[2].extension[0]',
  },
  {
    name: 'birth date 30 February',
    build: () => {
      const b = json('01-biochemistry-final');
      patientOf(b)['birthDate'] = '1985-02-30';
      return JSON.stringify(b);
    },
    code: 'FHIR_VALUE_INVALID',
    path: '$.entry[1].resource.birthDate',
  },
  {
    name: 'valueQuantity.value as a string',
    build: () => JSON.stringify(json('01-biochemistry-final')).replace('"value":6.2', '"value":"6,2"'),
    code: 'FHIR_VALUE_INVALID',
    path: '$.entry[6].resource.valueQuantity.value',
  },
  {
    name: 'Observation without status',
    build: () => JSON.stringify(json('01-biochemistry-final')).replace('"id":"o1","status":"final"', '"id":"o1"'),
    code: 'FHIR_VALUE_INVALID',
    path: '$.entry[6].resource.status',
  },
];

describe('malformed FHIR bundles are refused with a code and a JSON path', () => {
  for (const c of BAD) {
    it(c.name, () => {
      let caught: unknown;
      try {
        parseFhirBundle(c.build());
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof GatewayError, String(caught));
      assert.equal(caught.code, c.code, JSON.stringify(caught.issues));
      assert.equal(caught.issues.find((i) => i.severity === 'error')?.path, c.path, JSON.stringify(caught.issues));
    });
  }
});
