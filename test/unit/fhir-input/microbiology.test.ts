/**
 * FHIR microbiology (issue 3b): a culture with identified organisms (hasMember → susceptibility panels → MIC + S/I/R)
 * gives the same LabReport structure as the equivalent HL7 v2 ORU (test/fixtures/hl7v2/03-microbiology-isolates.hl7:
 * same patient, battery, specimen, organisms, antibiotics and interpretations; the FHIR one carries MICs where the
 * ORU carries S/I/R codes; its golden is checked with the others in bundles.test.ts). Also the isolate-Specimen shape, and bad links reported with a JSON path, never thrown.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFhirBundle } from '../../../src/adapters/fhir-input/parse.js';
import { parseHl7v2 } from '../../../src/adapters/hl7v2/parse.js';
import { GatewayError } from '../../../src/core/errors/index.js';
import { renderFhirReport } from '../../../src/core/fhir/index.js';
import type { Battery } from '../../../src/core/report/model.js';
import { fixture } from '../hl7v2/golden.js';

const NAME = '06-microbiology-isolates';
type Json = Record<string, unknown>;
const bundle = (): Json => JSON.parse(fixture('fhir', `${NAME}.json`).toString('utf8')) as Json;
const entries = (b: Json): Json[] => b['entry'] as Json[];
const obs = (b: Json, id: string): Json => entries(b).map((e) => e['resource'] as Json).find((r) => r['resourceType'] === 'Observation' && r['id'] === id) as Json;
const entryIndex = (b: Json, id: string): number => entries(b).findIndex((e) => (e['resource'] as Json)['id'] === id);
const refuse = (b: Json): GatewayError => {
  try {
    parseFhirBundle(JSON.stringify(b));
  } catch (e) {
    assert.ok(e instanceof GatewayError, String(e));
    return e;
  }
  assert.fail('the bundle was accepted');
};
const errors = (e: GatewayError): string[] => e.issues.filter((i) => i.severity === 'error').map((i) => `${i.code}@${i.path}`);

/** A battery's shape: organisms and the codes + interpretations of each isolate's results. */
const shape = (b: Battery | undefined) => ({
  code: b?.code.code,
  specimenType: b?.specimen?.type?.code,
  observations: b?.observations.map((o) => [o.code.code, o.interpretations.join()]),
  isolates: b?.isolates.map((i) => ({ organism: i.organism, results: i.observations.map((o) => [o.code.code, o.interpretations.join()]) })),
});

describe('FHIR microbiology with isolates', () => {
  it('has the structure the HL7 v2 reader gives the equivalent ORU (03-microbiology-isolates)', () => {
    const fhir = parseFhirBundle(fixture('fhir', `${NAME}.json`));
    const hl7 = parseHl7v2(fixture('hl7v2', '03-microbiology-isolates.hl7'), { labOid: '1.2.250.1.999.1' });
    assert.deepEqual(fhir.issues, []);
    assert.equal(fhir.report.batteries.length, 1);
    assert.deepEqual(shape(fhir.report.batteries[0]), shape(hl7.report.batteries[0]));
    // The leucocyte count outside the isolates is the same result in both formats.
    const { sourcePath: _f, ...fhirLeuko } = fhir.report.batteries[0]?.observations[0] ?? { sourcePath: '' };
    const { sourcePath: _h, ...hl7Leuko } = hl7.report.batteries[0]?.observations[0] ?? { sourcePath: '' };
    assert.deepEqual(fhirLeuko, hl7Leuko);
  });

  it('reads back the isolates of our own FHIR rendering (organism as a SNOMED CT value, results as hasMember)', () => {
    const hl7 = parseHl7v2(fixture('hl7v2', '03-microbiology-isolates.hl7'), { labOid: '1.2.250.1.999.1' }).report;
    const { bundle: rendered } = renderFhirReport(hl7, { labOid: '1.2.250.1.999.1', labName: 'Laboratoire', finess: '120459876', bundleId: 'b-1', at: '2026-03-10T15:00:00+01:00' });
    rendered['identifier'] = { system: 'urn:oid:1.2.250.1.999.1.5', value: 'RT-1' };
    const back = parseFhirBundle(JSON.stringify(rendered));
    assert.deepEqual(back.issues, []);
    assert.deepEqual(back.report.batteries.map(shape), hl7.batteries.map(shape));
  });

  it('reads MICs with comparators, S/I/R interpretations, and drops the susceptibility panels themselves', () => {
    const b = bundle();
    const iso = parseFhirBundle(JSON.stringify(b)).report.batteries[0]?.isolates ?? [];
    assert.deepEqual(iso[0]?.observations.map((o) => o.value), [
      { type: 'quantity', value: '100000', unit: '{CFU}/mL' },
      { type: 'quantity', value: '8', unit: 'mg/L', comparator: '>' },
      { type: 'quantity', value: '0.25', unit: 'mg/L', comparator: '<=' },
    ]);
    assert.deepEqual(iso[0]?.observations.map((o) => o.sourcePath), ['iso1-count', 'iso1-amp', 'iso1-cip'].map((id) => `$.entry[${entryIndex(b, id)}]`));
    assert.ok(!iso.flatMap((i) => i.observations).some((o) => o.code.code === '29576-6'), 'the 29576-6 panels are groupings, not results');
  });

  it('reads each Observation once when DiagnosticReport.result also lists the members', () => {
    const b = bundle();
    const dr = entries(b)[0]?.['resource'] as Json;
    dr['result'] = entries(b)
      .map((e) => e['resource'] as Json)
      .filter((r) => r['resourceType'] === 'Observation')
      .map((r) => ({ reference: `Observation/${String(r['id'])}` }));
    const p = parseFhirBundle(JSON.stringify(b));
    assert.deepEqual(p.issues, []);
    assert.deepEqual(p.report.batteries.map(shape), parseFhirBundle(fixture('fhir', `${NAME}.json`)).report.batteries.map(shape));
  });

  it('an isolate straight in DiagnosticReport.result goes to the report-level battery', () => {
    const b = bundle();
    (entries(b)[0]?.['resource'] as Json)['result'] = [{ reference: 'Observation/iso2' }];
    const r = parseFhirBundle(JSON.stringify(b)).report;
    assert.equal(r.batteries.length, 1);
    assert.equal(r.batteries[0]?.code.code, '11502-2');
    assert.deepEqual(r.batteries[0]?.observations, []);
    assert.deepEqual(r.batteries[0]?.isolates.map((i) => [i.organism.code, i.observations.map((o) => o.code.code)]), [['3092008', ['18964-7']]]);
  });

  it('an organism identification without members stays a plain coded result', () => {
    const b = bundle();
    delete obs(b, 'iso2')['hasMember'];
    const bat = parseFhirBundle(JSON.stringify(b)).report.batteries[0];
    assert.deepEqual(bat?.isolates.map((i) => i.organism.code), ['112283007']);
    assert.deepEqual(bat?.observations.map((o) => o.code.code), ['5821-4', '11475-1']);
    assert.deepEqual(bat?.observations[1]?.value, { type: 'coded', code: { code: '3092008', system: '2.16.840.1.113883.6.96', display: 'Staphylococcus aureus' } });
  });

  it('gathers results on an isolate Specimen (type ISLT) into one isolate named by its identification', () => {
    const b = bundle();
    entries(b).push({
      fullUrl: 'urn:uuid:specimen-isolate2',
      resource: {
        resourceType: 'Specimen',
        id: 'isolate2',
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0487', code: 'ISLT', display: 'Isolate' }] },
        parent: [{ reference: 'Specimen/spec' }],
      },
    });
    const iso2 = obs(b, 'iso2');
    delete iso2['hasMember'];
    iso2['specimen'] = { reference: 'Specimen/isolate2' };
    obs(b, 'iso2-pen')['specimen'] = { reference: 'Specimen/isolate2' };
    obs(b, 'culture')['hasMember'] = [{ reference: 'Observation/leuko' }, { reference: 'Observation/iso1' }, { reference: 'Observation/iso2' }, { reference: 'Observation/iso2-pen' }];
    const p = parseFhirBundle(JSON.stringify(b));
    assert.deepEqual(p.issues, []);
    assert.deepEqual(shape(p.report.batteries[0]), shape(parseFhirBundle(fixture('fhir', `${NAME}.json`)).report.batteries[0]));
  });
});

describe('FHIR microbiology: bad links are issues with a JSON path', () => {
  it('a hasMember that points nowhere', () => {
    const b = bundle();
    (obs(b, 'iso1-ab')['hasMember'] as Json[]).push({ reference: 'Observation/nowhere' });
    const e = refuse(b);
    assert.equal(e.code, 'FHIR_REFERENCE_UNRESOLVED');
    assert.deepEqual(errors(e), [`FHIR_REFERENCE_UNRESOLVED@$.entry[${entryIndex(b, 'iso1-ab')}].resource.hasMember[2].reference`]);
  });

  it('a hasMember that points to a Specimen', () => {
    const b = bundle();
    obs(b, 'iso2-ab')['hasMember'] = [{ reference: 'Specimen/spec' }];
    assert.deepEqual(errors(refuse(b)), [`FHIR_REFERENCE_UNRESOLVED@$.entry[${entryIndex(b, 'iso2-ab')}].resource.hasMember[0].reference`]);
  });

  it('a cycle of members', () => {
    const b = bundle();
    (obs(b, 'iso1-ab')['hasMember'] as Json[]).push({ reference: 'Observation/iso1' });
    const e = refuse(b);
    assert.equal(e.code, 'FHIR_REFERENCE_CYCLE');
    assert.deepEqual(errors(e), [`FHIR_REFERENCE_CYCLE@$.entry[${entryIndex(b, 'iso1-ab')}].resource.hasMember[2].reference`]);
  });

  it('an Observation that is its own member, and two results that are members of each other', () => {
    const self = bundle();
    obs(self, 'culture')['hasMember'] = [{ reference: 'Observation/culture' }, { reference: 'Observation/leuko' }];
    assert.deepEqual(errors(refuse(self)), [`FHIR_REFERENCE_CYCLE@$.entry[${entryIndex(self, 'culture')}].resource.hasMember[0].reference`]);
    const pair = bundle();
    (entries(pair)[0]?.['resource'] as Json)['result'] = [{ reference: 'Observation/iso1-ab' }, { reference: 'Observation/iso2-ab' }];
    obs(pair, 'iso1-ab')['hasMember'] = [{ reference: 'Observation/iso2-ab' }];
    obs(pair, 'iso2-ab')['hasMember'] = [{ reference: 'Observation/iso1-ab' }];
    assert.equal(refuse(pair).code, 'FHIR_REFERENCE_CYCLE');
  });

  it('nesting deeper than the limit, without exhausting the stack on a long chain', () => {
    const b = bundle();
    const chain = Array.from({ length: 20_000 }, (_, i) => ({
      fullUrl: `urn:uuid:observation-c${i}`,
      resource: { resourceType: 'Observation', id: `c${i}`, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '29576-6' }] }, hasMember: [{ reference: `Observation/c${i + 1}` }] },
    }));
    entries(b).push(...chain);
    (entries(b)[0]?.['resource'] as Json)['result'] = [{ reference: 'Observation/c0' }];
    const e = refuse(b);
    assert.ok(errors(e).some((x) => x.startsWith('FHIR_VALUE_INVALID@$.entry[') && x.endsWith('.resource.hasMember[0].reference')), errors(e).join());
  });

  it('an isolate without its organism code (only text)', () => {
    const b = bundle();
    obs(b, 'iso2')['valueCodeableConcept'] = { text: 'Staphylocoque doré' };
    const e = refuse(b);
    assert.equal(e.code, 'FHIR_REQUIRED_ELEMENT_MISSING');
    assert.deepEqual(errors(e), [`FHIR_REQUIRED_ELEMENT_MISSING@$.entry[${entryIndex(b, 'iso2')}].resource.valueCodeableConcept`]);
  });

  it('an isolate without any value', () => {
    const b = bundle();
    delete obs(b, 'iso1')['valueCodeableConcept'];
    assert.deepEqual(errors(refuse(b)), [`FHIR_REQUIRED_ELEMENT_MISSING@$.entry[${entryIndex(b, 'iso1')}].resource.valueCodeableConcept`]);
  });

  it('results on an isolate Specimen with no organism identification', () => {
    const b = bundle();
    entries(b).push({ fullUrl: 'urn:uuid:specimen-isolate2', resource: { resourceType: 'Specimen', id: 'isolate2', type: { coding: [{ system: 'http://snomed.info/sct', code: '119303007' }] } } });
    obs(b, 'iso2-pen')['specimen'] = { reference: 'Specimen/isolate2' };
    obs(b, 'culture')['hasMember'] = [{ reference: 'Observation/leuko' }, { reference: 'Observation/iso1' }, { reference: 'Observation/iso2-pen' }];
    assert.deepEqual(errors(refuse(b)), [`FHIR_REQUIRED_ELEMENT_MISSING@$.entry[${entries(b).length - 1}]`]);
  });

  it('an Observation that is a member of two groups is read once, with a warning', () => {
    const b = bundle();
    (obs(b, 'iso2-ab')['hasMember'] as Json[]).push({ reference: 'Observation/iso1-cip' });
    const p = parseFhirBundle(JSON.stringify(b));
    assert.deepEqual(p.issues.map((i) => `${i.severity} ${i.code}@${i.path}`), [`warning FHIR_MEMBER_REPEATED@$.entry[${entryIndex(b, 'iso2-ab')}].resource.hasMember[1].reference`]);
    assert.deepEqual(p.report.batteries[0]?.isolates.map((i) => i.observations.length), [3, 1]);
  });
});
