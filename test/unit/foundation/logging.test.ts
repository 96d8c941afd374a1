import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../src/logging/logger.js';
import { LogSink } from '../../helpers/log-sink.js';

// A public INSi test identity (standards.md §2.5), used as a report-shaped payload.
const report = {
  sender: 'SIL-TEST',
  messageId: 'MSG0001',
  patient: {
    ins: { value: '279035121518989', oid: '1.2.250.1.213.1.4.10' },
    birthName: 'PAT-TROIS',
    birthGivenNames: 'DOMINIQUE MARIE-LOUISE',
    firstGivenName: 'DOMINIQUE',
    usedName: 'NOM-USAGE',
    birthDate: '1979-03-28',
    birthPlaceCog: '51215',
    sex: 'F',
  },
  body: 'MSH|^~\\&|SIL|LAB|||20260301||ORU^R01|MSG0001|P|2.5\rPID|||279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS||PAT-TROIS^DOMINIQUE^^^^^L||19790328|F',
  authorization: 'Bearer dgw_sil_secret',
};
const forbidden = ['279035121518989', '2790351215189', 'PAT-TROIS', 'DOMINIQUE', 'MARIE-LOUISE', 'NOM-USAGE', '1979-03-28', '19790328', '51215', 'dgw_sil_secret'];

describe('logging', () => {
  it('a report-shaped payload logged through the real logger leaves no INS, name, birth date or token in any line', () => {
    const sink = new LogSink();
    const log = createLogger({ level: 'trace', destination: sink });
    log.info({ report }, 'received');
    log.child({ reqId: 'r1' }).warn({ patient: report.patient, insValue: report.patient.ins.value }, 'held');
    log.error({ err: new Error(`cannot parse PID for ${report.patient.ins.value} born 19790328`) }, 'failed');
    log.info(`free text mentioning 2 79 03 51 215 189 89 and 1979-03-28`);
    log.debug({ nested: { deeper: [{ family: 'PAT-TROIS', given: 'DOMINIQUE' }] } }, 'deep');
    assert.equal(sink.lines.length, 5, 'every call produced a line');
    for (const line of sink.lines) {
      for (const f of forbidden) {
        assert.ok(!line.includes(f), `"${f}" leaked in: ${line}`);
      }
    }
    // Non-sensitive facts survive.
    const first = sink.parsed[0] as { report: { sender: string; messageId: string } };
    assert.equal(first.report.sender, 'SIL-TEST');
    assert.equal(first.report.messageId, 'MSG0001');
  });
});
