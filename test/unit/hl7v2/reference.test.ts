/**
 * The official ANS examples (../shared/reference/hl7v2/, CI-SIS volet "Transmission de documents CDA en HL7 v2"):
 * each is accepted, or refused with the exact reason its content breaks a rule.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHl7v2 } from '../../../src/adapters/hl7v2/parse.js';
import { GatewayError } from '../../../src/core/errors/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ref = (name: string): Buffer => readFileSync(path.resolve(repoRoot, '..', 'shared', 'reference', 'hl7v2', name));

const refusal = (name: string): GatewayError => {
  try {
    parseHl7v2(ref(name));
  } catch (e) {
    assert.ok(e instanceof GatewayError);
    return e;
  }
  assert.fail(`${name} was accepted`);
};

describe('official ANS HL7 v2 examples', () => {
  it('accepts the Ségur electrophoresis ORU whose CDA matches PID', () => {
    const { report, issues } = parseHl7v2(ref('ans-segur-v2.1-ORU_R01-crbio-init-N3-electrophorese.hl7'));
    assert.deepEqual(issues, []);
    assert.equal(report.sender, 'SIL-Y^labo');
    assert.equal(report.messageId, '015');
    assert.equal(report.accessionNumber, '1001-E1');
    assert.equal(report.placerOrderNumber, '98765431');
    assert.deepEqual(report.patient.ins, { value: '279035121518989', oid: '1.2.250.1.213.1.4.10' });
    assert.equal(report.patient.birthName, 'PAT-TROIS');
    assert.equal(report.patient.firstGivenName, 'DOMINIQUE');
    assert.equal(report.patient.birthDate, '1979-03-28');
    assert.equal(report.patient.sex, 'F');
    assert.equal(report.patient.birthPlaceCog, '63220');
    assert.equal(report.patient.status, 'VALI');
    assert.deepEqual(report.patient.identifiers, []);
    assert.equal(report.embeddedCda?.action, 'initial');
    const cda = Buffer.from(report.embeddedCda?.base64 ?? '', 'base64').toString('utf8');
    assert.match(cda, /<ClinicalDocument/);
    assert.equal(report.flags.sendToDmp, true);
    assert.equal(report.flags.ackReception, true);
    assert.equal(report.flags.maskedFromProfessionals, false);
    assert.equal(report.status, 'final');
    assert.equal(report.batteries[0]?.code.code, '11502-2');
    assert.equal(report.responsibleBiologist?.family, 'LABBIO');
    assert.equal(report.prescriber?.family, 'BLUE'); // OBR-16 (ORC-12 is empty; ORC-10 is the entered-by)
  });

  it('refuses the V1.2 example: its INS key is wrong', () => {
    const e = refusal('ans-v1.2-ORU_R01-crbio.hl7');
    assert.equal(e.code, 'REPORT_INS_KEY_MISMATCH');
    assert.equal(e.issues[0]?.path, 'PID[1].3.1');
  });

  for (const name of ['ans-v2.1-ORU_R01-crbio-init-N1N3.hl7', 'ans-v2.1-ORU_R01-crbio-replace-N1N3.er7', 'ans-v2.1-ORU_R01-crbio-delete-N1N3.er7']) {
    it(`refuses ${name}: its OBX-5 payloads are text placeholders, not CDA documents`, () => {
      const e = refusal(name);
      assert.equal(e.code, 'REPORT_EMBEDDED_CDA_INVALID');
      assert.deepEqual(
        e.issues.filter((i) => i.severity === 'error').map((i) => i.path),
        ['OBX[1].5.5', 'OBX[2].5.5'],
      );
    });
  }

  it('refuses the replacement with real CDA documents: they name another patient than PID', () => {
    const e = refusal('ans-v2.1-ORU_R01-crbio-replace-N1N3-base64.er7');
    assert.equal(e.code, 'REPORT_EMBEDDED_CDA_MISMATCH');
    assert.match(e.message, /INS, birth name/);
    assert.equal(e.issues[0]?.path, 'OBX[1].5.5');
  });
});

describe('MDM carrying the SIL CDA (volet "Transmission de documents CDA en HL7 v2")', () => {
  const segur = ref('ans-segur-v2.1-ORU_R01-crbio-init-N3-electrophorese.hl7').toString('utf8').split('\n').filter((l) => l !== '');
  const asMdm = (type: string): string =>
    segur
      .filter((l) => !l.startsWith('ORC|') && !l.startsWith('OBR|') && !l.startsWith('PV1|'))
      .map((l) => (l.startsWith('MSH|') ? l.replace('ORU^R01^ORU_R01', type) : l))
      .flatMap((l) => (l.startsWith('PID|') ? [l, 'TXA|1|11502-2^CR d\'examens biologiques^LN|TEXT|202106060931||||||||DOC-2021-0042^SIL-Y||||AU'] : [l]))
      .join('\r');

  it('accepts MDM^T02: the CDA is delivered as an initial transmission, TXA-12 is the accession', () => {
    const { report } = parseHl7v2(asMdm('MDM^T02^MDM_T02'));
    assert.equal(report.accessionNumber, 'DOC-2021-0042');
    assert.equal(report.embeddedCda?.action, 'initial');
    assert.deepEqual(report.batteries, []);
    assert.equal(report.flags.ackReception, true);
  });

  const withObx11 = (msg: string, status: string): string => msg.replace(/(OBX\|1\|ED\|[^\r]*)\|\|\|\|\|\|F\|/, `$1||||||${status}|`);

  it('reads MDM^T10 with OBX-11 C as a replacement, MDM^T04 with D as a deletion', () => {
    assert.equal(parseHl7v2(withObx11(asMdm('MDM^T10^MDM_T02'), 'C')).report.embeddedCda?.action, 'replace');
    assert.equal(parseHl7v2(withObx11(asMdm('MDM^T04^MDM_T02'), 'D')).report.embeddedCda?.action, 'delete');
  });

  it('refuses an MDM event that disagrees with OBX-11 (T10 with F)', () => {
    assert.throws(() => parseHl7v2(asMdm('MDM^T10^MDM_T02')), { code: 'HL7_CDA_ACTION_CONFLICT', issues: [{ severity: 'error', code: 'HL7_CDA_ACTION_CONFLICT', path: 'MSH[1].9', message: 'MSH-9 MDM^T10 disagrees with OBX-11 F (the volet pairs T02/F, T10/C, T04/D).' }] });
  });

  it('ORU: ORC-1 RO with OBX-11 C is a replacement; ORC-1 NW with OBX-11 C is refused; OBX-11 P cannot be published', () => {
    const oru = segur.join('\r');
    const replaced = withObx11(oru.replace('ORC|NW|', 'ORC|RO|'), 'C');
    assert.equal(parseHl7v2(replaced).report.embeddedCda?.action, 'replace');
    assert.throws(() => parseHl7v2(withObx11(oru, 'C')), (e: unknown) => e instanceof GatewayError && e.code === 'HL7_CDA_ACTION_CONFLICT' && e.issues[0]?.path === 'ORC[1].1');
    assert.throws(() => parseHl7v2(withObx11(oru, 'P')), (e: unknown) => e instanceof GatewayError && e.code === 'HL7_CODE_UNKNOWN' && e.issues[0]?.path === 'OBX[1].11');
  });

  it('refuses an MDM without TXA', () => {
    assert.throws(() => parseHl7v2(asMdm('MDM^T02^MDM_T02').replace(/\rTXA\|[^\r]*/, '')), { code: 'HL7_SEGMENT_MISSING' });
  });
});
