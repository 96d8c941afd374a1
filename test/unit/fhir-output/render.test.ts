import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fhirDateTime, renderFhirReport, type Json } from '../../../src/core/fhir/index.js';
import { loadReport } from '../../fixtures/cda/settings.js';

const opts = { labOid: '1.2.250.1.999.1', labName: 'Laboratoire des charmes', finess: '120459876', bundleId: 'b-1', at: '2021-01-04T16:10:00+01:00' };
const byType = (bundle: Json, type: string): Json[] =>
  (bundle['entry'] as { resource: Json }[]).map((e) => e.resource).filter((r) => r['resourceType'] === type);

describe('FHIR rendering of a lab report', () => {
  it('Patient follows FR Core INS: INS-NIR-TEST identifier, first given name, birth list, birth place, status', () => {
    const { bundle, issues } = renderFhirReport(loadReport('tsh'), opts);
    assert.deepEqual(issues, []);
    const [p] = byType(bundle, 'Patient') as [Json];
    assert.deepEqual((p['meta'] as Json)['profile'], ['https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-ins']);
    const ins = (p['identifier'] as Json[])[0]!;
    assert.equal(ins['system'], 'urn:oid:1.2.250.1.213.1.4.10');
    assert.equal(ins['value'], '279035121518989');
    assert.equal(((ins['type'] as Json)['coding'] as Json[])[0]!['code'], 'INS-NIR-TEST');
    const official = (p['name'] as Json[])[0]!;
    assert.deepEqual(official['given'], ['DOMINIQUE']);
    assert.equal((official['extension'] as Json[])[0]!['valueString'], 'DOMINIQUE MARIE-LOUISE');
    assert.equal(p['gender'], 'female');
    assert.equal(p['birthDate'], '1979-03-28');
    assert.ok(JSON.stringify(p['extension']).includes('"code":"51215"'));
    assert.ok(JSON.stringify(p['extension']).includes('"code":"QUAL"'));
  });

  it('Observations carry LOINC and local codes, UCUM quantities, interpretation and reference range; a panel groups them', () => {
    const { bundle } = renderFhirReport(loadReport('tsh'), opts);
    const obs = byType(bundle, 'Observation');
    const tsh = obs.find((o) => JSON.stringify(o['code']).includes('3016-3'))!;
    assert.deepEqual(((tsh['code'] as Json)['coding'] as Json[]).map((c) => `${String(c['system'])}|${String(c['code'])}`), ['http://loinc.org|3016-3', 'urn:oid:1.2.250.1.999.1.5|TSH']);
    assert.deepEqual(tsh['valueQuantity'], { value: 1.95, unit: 'm[IU]/L', system: 'http://unitsofmeasure.org', code: 'm[IU]/L' });
    assert.equal(((tsh['interpretation'] as Json[])[0]!['coding'] as Json[])[0]!['code'], 'N');
    assert.equal(((tsh['referenceRange'] as Json[])[0]!['low'] as Json)['value'], 0.27);
    assert.equal(tsh['effectiveDateTime'], '2021-01-04T14:55:21+01:00');
    const panel = obs.find((o) => Array.isArray(o['hasMember']))!;
    assert.equal((panel['hasMember'] as Json[]).length, 2);
    const [dr] = byType(bundle, 'DiagnosticReport') as [Json];
    assert.equal(dr['status'], 'final');
    assert.deepEqual(dr['result'], [{ reference: `Observation/${String(panel['id'])}` }]);
    assert.equal(dr['issued'], '2021-01-04T16:05:27+01:00');
  });

  it('a partial microbiology report: isolates with organism and susceptibilities, comparator quantities', () => {
    const { bundle } = renderFhirReport(loadReport('micro_v2'), opts);
    const obs = byType(bundle, 'Observation');
    const ecoli = obs.find((o) => JSON.stringify(o['valueCodeableConcept'] ?? '').includes('112283007'))!;
    assert.equal((ecoli['hasMember'] as Json[]).length, 4);
    const amox = obs.find((o) => JSON.stringify(o['code']).includes('"20-8"'))!;
    assert.deepEqual(amox['valueQuantity'], { value: 0.512, comparator: '>=', unit: 'ug/mL', system: 'http://unitsofmeasure.org', code: 'ug/mL' });
    assert.equal(byType(renderFhirReport(loadReport('micro_v1'), opts).bundle, 'DiagnosticReport')[0]!['status'], 'partial');
  });

  it('an unqualified identity gets no INS and the plain FR Core patient profile; a cancelled result has no value', () => {
    const { bundle, issues } = renderFhirReport(loadReport('multi_chapter_unqualified'), opts);
    assert.deepEqual(issues.map((i) => i.code), ['FHIR_INS_NOT_SENT']);
    const [p] = byType(bundle, 'Patient') as [Json];
    assert.ok(!JSON.stringify(p['identifier']).includes('1.2.250.1.213.1.4'));
    assert.equal(p['birthDate'], '1985');
    assert.equal(p['gender'], 'unknown');
    const k = byType(bundle, 'Observation').find((o) => JSON.stringify(o['code']).includes('2823-3'))!;
    assert.equal(k['status'], 'cancelled');
    assert.equal(k['valueQuantity'], undefined);
    assert.ok(k['dataAbsentReason']);
  });

  it('dateTime: seconds added, no offset keeps the date, unknown parts truncate', () => {
    assert.equal(fhirDateTime('2021-01-04T07:35+01:00'), '2021-01-04T07:35:00+01:00');
    assert.equal(fhirDateTime('2021-01-04T07:35'), '2021-01-04');
    assert.equal(fhirDateTime('1980-05-00'), '1980-05');
    assert.equal(fhirDateTime('not a date'), undefined);
  });
});
