/**
 * Our ORU fixtures (test/fixtures/hl7v2): each parses to its golden LabReport, and the key fields are checked by hand
 * below so that a golden cannot silently freeze a wrong mapping.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseHl7v2, parseHl7v2Batch, type ParsedReport } from '../../../src/adapters/hl7v2/parse.js';
import type { LabReport, Observation } from '../../../src/core/report/model.js';
import { assertGolden, fixture } from './golden.js';

const LAB_OID = '1.2.250.1.999.1';
const parse = (name: string): ParsedReport => parseHl7v2(fixture('hl7v2', name), { labOid: LAB_OID });
const codes = (p: ParsedReport): string[] => p.issues.map((i) => `${i.code}@${i.path}`);
const obs = (r: LabReport, b: number, o: number): Observation => {
  const x = r.batteries[b]?.observations[o];
  assert.ok(x, `battery ${b} observation ${o}`);
  return x;
};

const FIXTURES = [
  '01-biochemistry-final',
  '02-haematology-cbc',
  '03-microbiology-isolates',
  '04-serology',
  '05-version-partial',
  '06-version-final',
  '07-version-corrected',
  '08-latin1',
  '09-unescaped-text',
  '10-pdf-attachment',
  '11-child-with-parent-ins',
  '12-multi-battery-crlf',
  '13-doubtful-nia-partial-birthdate',
  '14-dmp-flags-masked-opposed',
  '15-local-codes-escapes-corsica',
];

describe('ORU fixtures → golden LabReport', () => {
  for (const name of FIXTURES) {
    it(name, () => {
      const p = parse(`${name}.hl7`);
      assertGolden(`hl7v2-${name}`, { report: p.report, issues: p.issues });
    });
  }
  it('16-batch', () => {
    const items = parseHl7v2Batch(fixture('hl7v2', '16-batch.hl7'), { labOid: LAB_OID });
    assertGolden('hl7v2-16-batch', items.map((i) => (i.ok ? { report: i.report, issues: i.issues } : { error: i.error.code })));
  });
});

describe('ORU fixtures: key fields checked by hand', () => {
  it('biochemistry: patient, INS, IPP, names, units to UCUM, ranges, flags, times, evidence', () => {
    const { report: r, issues } = parse('01-biochemistry-final.hl7');
    assert.deepEqual(issues, []);
    assert.equal(r.sender, 'SIL-BIOLAB^LBM-DEMO');
    assert.equal(r.messageId, 'MSG-0001');
    assert.equal(r.accessionNumber, 'ACC-2026-0001');
    assert.deepEqual(r.patient.ins, { value: '185076912304596', oid: '1.2.250.1.213.1.4.8' });
    assert.deepEqual(r.patient.identifiers, [{ system: '1.2.250.1.999.1.1', value: 'IPP000123' }]);
    assert.equal(r.patient.birthName, 'MARTIN');
    assert.equal(r.patient.birthGivenNames, 'JEAN PIERRE');
    assert.equal(r.patient.firstGivenName, 'JEAN');
    assert.equal(r.patient.usedName, 'DURAND-MARTIN');
    assert.equal(r.patient.birthDate, '1985-07-14');
    assert.equal(r.patient.sex, 'M');
    assert.equal(r.patient.birthPlaceCog, '69123');
    assert.equal(r.patient.status, 'QUAL');
    assert.deepEqual(r.patient.evidence, { documentType: 'CN' });
    assert.deepEqual(r.patient.telecom, ['tel:0601020304', 'mailto:jean.martin@example.org']);
    assert.equal(r.prescriber?.rpps, '10000000012');
    assert.equal(r.responsibleBiologist?.rpps, '10001234567');
    assert.equal(r.status, 'final');
    assert.equal(r.reportedAt, '2026-03-10T14:25:00+01:00');
    assert.equal(r.collectedAt, '2026-03-10T07:30:00+01:00');
    const glucose = obs(r, 0, 0);
    assert.deepEqual(glucose.code, { code: '14749-6', system: '2.16.840.1.113883.6.1', display: 'Glucose [Moles/volume] in Serum or Plasma' });
    assert.deepEqual(glucose.value, { type: 'quantity', value: '6.2', unit: 'mmol/L' });
    assert.deepEqual(glucose.referenceRange, { low: '3.9', high: '5.8', unit: 'mmol/L' });
    assert.deepEqual(glucose.interpretations, ['H']);
    assert.deepEqual(glucose.comments, ['Patient non à jeun']);
    assert.equal(glucose.effectiveTime, '2026-03-10T12:00:00+01:00');
    assert.deepEqual(obs(r, 0, 2).value, { type: 'quantity', value: '80.5', unit: 'umol/L' });
    assert.deepEqual(obs(r, 0, 3).interpretations, ['L']);
    assert.deepEqual(obs(r, 0, 4).value, { type: 'quantity', value: '95', unit: 'mL/min/{1.73_m2}' });
    assert.deepEqual(obs(r, 0, 4).referenceRange, { low: '90', unit: 'mL/min/{1.73_m2}' });
    assert.deepEqual(r.batteries[0]?.specimen?.type, { code: 'SER', system: '2.16.840.1.113883.18.311', display: 'Serum' });
    assert.equal(r.batteries[0]?.specimen?.id, 'SP-0001');
  });

  it('haematology: G/l and T/l are giga/tera per litre, g/dl grams', () => {
    const { report: r } = parse('02-haematology-cbc.hl7');
    assert.deepEqual(obs(r, 0, 0).value, { type: 'quantity', value: '11.8', unit: '10*9/L' });
    assert.deepEqual(obs(r, 0, 1).value, { type: 'quantity', value: '4.52', unit: '10*12/L' });
    assert.deepEqual(obs(r, 0, 2).value, { type: 'quantity', value: '13.9', unit: 'g/dL' });
    assert.deepEqual(obs(r, 0, 3).value, { type: 'quantity', value: '88', unit: 'fL' });
    assert.equal(r.batteries[0]?.specimen?.type?.code, 'BLD');
  });

  it('microbiology: two isolates with their susceptibilities', () => {
    const { report: r } = parse('03-microbiology-isolates.hl7');
    const b = r.batteries[0];
    assert.ok(b);
    assert.equal(b.observations.length, 1, 'only the leucocyte count stays a plain result');
    assert.equal(b.isolates.length, 2);
    assert.deepEqual(b.isolates[0]?.organism, { code: '112283007', system: '2.16.840.1.113883.6.96', display: 'Escherichia coli' });
    assert.deepEqual(b.isolates[0]?.observations.map((o) => o.code.code), ['564-5', '18864-9', '18906-8']);
    assert.deepEqual(b.isolates[0]?.observations.map((o) => o.interpretations[0]), ['H', 'R', 'S']);
    assert.deepEqual(b.isolates[0]?.observations[0]?.value, { type: 'quantity', value: '100000', unit: '{CFU}/mL' });
    assert.equal(b.isolates[1]?.organism.display, 'Staphylococcus aureus');
    assert.deepEqual(b.isolates[1]?.observations.map((o) => o.interpretations), [['I']]);
  });

  it('serology: coded positive, titre as text, SN comparator, SN range', () => {
    const { report: r } = parse('04-serology.hl7');
    assert.deepEqual(obs(r, 0, 0).value, { type: 'coded', code: { code: '10828004', system: '2.16.840.1.113883.6.96', display: 'Positive' } });
    assert.deepEqual(obs(r, 0, 0).interpretations, ['POS']);
    assert.deepEqual(obs(r, 0, 1).value, { type: 'text', text: '1:16' });
    assert.deepEqual(obs(r, 0, 1).referenceRange, { text: '<1:1' });
    assert.deepEqual(obs(r, 0, 2).value, { type: 'quantity', value: '0.05', unit: '[IU]/mL', comparator: '<' });
    assert.deepEqual(obs(r, 0, 3).value, { type: 'range', low: '1.2', high: '1.5', unit: '' });
  });

  it('partial → final → corrected: same accession, statuses follow OBR-25 / OBX-11', () => {
    const a = parse('05-version-partial.hl7').report;
    const b = parse('06-version-final.hl7').report;
    const c = parse('07-version-corrected.hl7').report;
    assert.deepEqual([a.status, b.status, c.status], ['partial', 'final', 'corrected']);
    assert.deepEqual([a.accessionNumber, b.accessionNumber, c.accessionNumber], ['ACC-2026-0005', 'ACC-2026-0005', 'ACC-2026-0005']);
    assert.notEqual(a.messageId, b.messageId);
    assert.equal(obs(a, 0, 1).status, 'preliminary');
    assert.equal(obs(a, 0, 1).value, undefined);
    assert.equal(obs(c, 0, 1).status, 'corrected');
    assert.deepEqual(obs(c, 0, 1).comments, ['Résultat ASAT corrigé : erreur de saisie']);
  });

  it('Latin-1 (MSH-18 8859/1): accents decoded', () => {
    const { report: r, issues } = parse('08-latin1.hl7');
    assert.deepEqual(issues, []);
    assert.equal(r.patient.birthName, 'LEFÈVRE');
    assert.equal(r.patient.birthGivenNames, 'HÉLÈNE FRANÇOISE');
    assert.equal(r.patient.usedName, 'BÉRARD');
    assert.equal(obs(r, 0, 0).code.display, 'Cholestérol total');
  });

  it('unescaped & and ^ in OBX-5 text: kept, with a warning naming OBX[1].5', () => {
    const p = parse('09-unescaped-text.hl7');
    assert.deepEqual(codes(p), ['HL7_UNESCAPED_DELIMITER@OBX[1].5']);
    assert.deepEqual(obs(p.report, 0, 0).value, { type: 'text', text: 'Ca & Mg à contrôler ^ recontrôle dans 3 mois' });
    assert.deepEqual(obs(p.report, 0, 1).value, { type: 'text', text: 'Limpide & clair' });
  });

  it('PDF in OBX ED: kept as the report PDF, not as a result', () => {
    const { report: r } = parse('10-pdf-attachment.hl7');
    assert.ok(r.pdf);
    assert.ok(Buffer.from(r.pdf.base64, 'base64').toString('latin1').startsWith('%PDF-1.4'));
    assert.equal(r.batteries[0]?.observations.length, 1);
  });

  it("a child's record carrying the mother's INS: accepted, with a warning for the identity gate", () => {
    const p = parse('11-child-with-parent-ins.hl7');
    assert.deepEqual(codes(p), ['REPORT_INS_TRAITS_DISAGREE@PID[1].3']);
    assert.equal(p.report.patient.birthDate, '2019-05-12');
    assert.equal(p.report.patient.ins?.value.slice(1, 3), '79');
  });

  it('two OBR groups each with its SPM, CRLF line ends, decimal comma', () => {
    const p = parse('12-multi-battery-crlf.hl7');
    assert.deepEqual(codes(p), ['HL7_DECIMAL_COMMA@OBX[2].5']);
    assert.equal(p.report.batteries.length, 2);
    assert.deepEqual(p.report.batteries.map((b) => b.specimen?.id), ['SP-12A', 'SP-12B']);
    assert.deepEqual(p.report.batteries.map((b) => b.sourcePath), ['OBR[1]', 'OBR[2]']);
    assert.deepEqual(obs(p.report, 0, 1).value, { type: 'quantity', value: '5.6', unit: 'mmol/L' });
    assert.deepEqual(obs(p.report, 0, 1).referenceRange, { low: '3.5', high: '5.1', unit: 'mmol/L' });
    assert.deepEqual(obs(p.report, 1, 0).value, { type: 'quantity', value: '12.5', unit: 's' });
    assert.equal(obs(p.report, 1, 0).sourcePath, 'OBX[3]');
  });

  it('NIA, PROV with the DOUTE spelling, birth date without day, born abroad', () => {
    const { report: r } = parse('13-doubtful-nia-partial-birthdate.hl7');
    assert.deepEqual(r.patient.ins, { value: '162039913500133', oid: '1.2.250.1.213.1.4.9' });
    assert.equal(r.patient.status, 'PROV');
    assert.deepEqual(r.patient.attributes, ['DOUT']);
    assert.equal(r.patient.birthDate, '1962-03-00');
    assert.equal(r.patient.birthPlaceCog, '99243');
    assert.equal(r.patient.birthName, "N'GUYEN");
  });

  it('MetaDMPMSS flags and the opposition flag', () => {
    const { report: r } = parse('14-dmp-flags-masked-opposed.hl7');
    assert.deepEqual(r.flags, {
      sendToDmp: true,
      maskedFromProfessionals: true,
      invisibleToPatient: true,
      invisibleToLegalRepresentatives: true,
      secretConnection: false,
      patientOpposed: true,
      ackReception: true,
    });
    assert.equal(r.batteries[0]?.observations.length, 1, 'flags are not results');
  });

  it('local codes with a LOINC alternate, escapes, Corsican NIR, FICTI', () => {
    const p = parse('15-local-codes-escapes-corsica.hl7');
    const r = p.report;
    assert.deepEqual(r.patient.ins, { value: '292022A00401118', oid: '1.2.250.1.213.1.4.8' });
    assert.deepEqual(r.patient.attributes, ['FICT']);
    assert.equal(r.patient.birthPlaceCog, '2A004');
    assert.equal(r.batteries[0]?.code.code, '2345-7');
    assert.deepEqual(obs(r, 0, 0).localCode, { code: 'GLYC', system: LAB_OID, display: 'Glycémie à jeun' });
    assert.deepEqual(obs(r, 0, 0).interpretations, ['H'], "'+' maps to H");
    assert.deepEqual(obs(r, 0, 1).value, { type: 'text', text: 'Résultat contrôlé\nsur 2nd prélèvement A 10h | pH ^ 7,4' });
    assert.deepEqual(obs(r, 0, 2).code, { code: 'HBA1C', system: LAB_OID, display: 'Hémoglobine glyquée' });
    assert.ok(codes(p).includes('HL7_NO_LOINC@OBX[3].3'));
  });

  it('batch file: FHS/BHS with two messages, each its own report', () => {
    const items = parseHl7v2Batch(fixture('hl7v2', '16-batch.hl7'));
    assert.equal(items.length, 2);
    assert.deepEqual(items.map((i) => (i.ok ? i.report.messageId : i.error.code)), ['MSG-0016-1', 'MSG-0016-2']);
    assert.deepEqual(items.map((i) => (i.ok ? i.report.patient.birthName : '')), ['MARTIN', 'PAT-TROIS']);
    assert.throws(() => parseHl7v2(fixture('hl7v2', '16-batch.hl7')), { code: 'HL7_BATCH_NOT_ALLOWED' });
  });
});
