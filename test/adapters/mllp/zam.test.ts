/**
 * The volet's DMP receipt (ZAM^Z01^ZAM_Z01) built for the SIL, and sent over a real MLLP connection with our client.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readInboundHeader } from '../../../src/adapters/hl7v2/ack.js';
import { buildDmpReceipt } from '../../../src/adapters/hl7v2/zam.js';
import { sendMllp } from '../../../src/adapters/mllp/client.js';
import { startMllpServer, type MllpServer } from '../../../src/adapters/mllp/server.js';
import { GatewayError } from '../../../src/core/errors/index.js';
import { repoRoot } from '../../unit/hl7v2/golden.js';

const segur = readFileSync(path.resolve(repoRoot, '..', 'shared', 'reference', 'hl7v2', 'ans-segur-v2.1-ORU_R01-crbio-init-N3-electrophorese.hl7'));
const original = readInboundHeader(segur);
const fields = (msg: string, name: string): string[] => msg.split('\r').find((l) => l.startsWith(`${name}|`))?.split('|') ?? [];

describe('ZAM^Z01 DMP receipt', () => {
  it('acknowledges a delivered document with Y, naming the original message in OBX-4', () => {
    assert.ok(original);
    const zam = buildDmpReceipt({ original, accepted: true, now: new Date('2026-03-10T15:00:00Z'), controlId: 'ZAM-1' });
    const msh = fields(zam, 'MSH');
    assert.deepEqual([msh[2], msh[3], msh[4], msh[5]], ['PFI-X', 'Organisation-X', 'SIL-Y', 'labo']);
    assert.equal(msh[8], 'ZAM^Z01^ZAM_Z01');
    assert.equal(msh[11], '2.6');
    assert.equal(msh[16], 'FRA');
    assert.equal(msh[17], 'UNICODE UTF-8');
    assert.equal(msh[20], '2.1^CISIS_CDA_HL7_V2');
    assert.deepEqual(fields(zam, 'OBX'), ['OBX', '1', 'CWE', 'ACK_RECEPTION_DMP^Accusé de réception DMP^AckMetierZAM', '015', 'Y^^expandedYes-NoIndicator', '', '', '', '', '', 'F']);
    assert.deepEqual(fields(zam, 'ERR'), []);
  });

  it('reports a DMP refusal with N and the DMP error in ERR-5', () => {
    assert.ok(original);
    const zam = buildDmpReceipt({ original, accepted: false, dmpError: { code: 'XDSPatientIdDoesNotMatch', label: 'Patient id mismatch' }, now: new Date(0), controlId: 'ZAM-2' });
    assert.equal(fields(zam, 'OBX')[5], 'N^^expandedYes-NoIndicator');
    assert.deepEqual(fields(zam, 'ERR').slice(3, 6), ['207^Application error^messageErrorCondition', 'E', 'XDSPatientIdDoesNotMatch^Patient id mismatch^DMP_ERROR_CODE']);
  });
});

describe('MLLP client', () => {
  let server: MllpServer;
  const received: Buffer[] = [];
  before(async () => {
    server = await startMllpServer({
      host: '127.0.0.1',
      port: 0,
      maxMessageBytes: 65536,
      accept: (raw) => {
        received.push(raw);
        return Promise.resolve({ code: 'AA' });
      },
      now: () => new Date('2026-03-10T15:00:01Z'),
      nextAckId: () => 'SIL-ACK-1',
    });
  });
  after(() => server.close());

  it('sends a framed ZAM and returns the peer ACK', async () => {
    assert.ok(original);
    const zam = buildDmpReceipt({ original, accepted: true, now: new Date('2026-03-10T15:00:00Z'), controlId: 'ZAM-3' });
    const ack = (await sendMllp({ host: '127.0.0.1', port: server.port, payload: Buffer.from(zam, 'utf8') })).toString('utf8');
    assert.equal(received[0]?.toString('utf8'), zam);
    assert.deepEqual(fields(ack, 'MSA'), ['MSA', 'AA', 'ZAM-3', '']);
    assert.equal(fields(ack, 'MSH')[8], 'ACK^Z01^ACK');
  });

  it('rejects with a retryable MLLP_PEER_UNREACHABLE when nobody listens', async () => {
    await assert.rejects(sendMllp({ host: '127.0.0.1', port: 1, payload: Buffer.from('MSH|^~\\&|') }), (e: unknown) => e instanceof GatewayError && e.code === 'MLLP_PEER_UNREACHABLE' && e.retryable);
  });
});
