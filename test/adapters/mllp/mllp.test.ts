/**
 * MLLP over a real loopback socket: framing, split frames, several messages per connection, refusals with ERR
 * segments, ACK only after the durable commit, never a positive ACK when the store fails, AR + close on a too-large
 * frame. Our fixtures carry MSH-15 AL / MSH-16 NE, i.e. HL7 enhanced mode: the answers are commit ACKs CA / CE
 * (original mode AA/AE/AR and every MSH-15 value: ack-modes.test.ts).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { parseHl7v2 } from '../../../src/adapters/hl7v2/parse.js';
import { isGatewayError } from '../../../src/core/errors/index.js';
import { frame, MllpDecoder, FS, CR, VT } from '../../../src/adapters/mllp/framing.js';
import { startMllpServer, type AckResult, type MllpServer } from '../../../src/adapters/mllp/server.js';
import { fixture } from '../../unit/hl7v2/golden.js';

const MSG1 = fixture('hl7v2', '01-biochemistry-final.hl7');
const MSG2 = fixture('hl7v2', '02-haematology-cbc.hl7');
const LATIN1 = fixture('hl7v2', '08-latin1.hl7');
const BAD = Buffer.from(MSG1.toString('utf8').replace('|19850714|M|', '|19851399|M|'));

/** A store that commits to memory, logs events, and can be told to fail. */
class FakeStore {
  readonly saved: string[] = [];
  readonly events: string[] = [];
  failNext = false;
  async save(messageId: string): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk I/O error');
    }
    this.saved.push(messageId);
    this.events.push(`commit ${messageId}`);
  }
}

const store = new FakeStore();
const accept = async (raw: Buffer): Promise<AckResult> => {
  try {
    const { report } = parseHl7v2(raw);
    await store.save(report.messageId);
    return { code: 'AA' };
  } catch (e) {
    if (isGatewayError(e) && e.status < 500) {
      return { code: 'AE', errorCode: e.code, text: e.message, issues: e.issues };
    }
    throw e;
  }
};

let server: MllpServer;
let ackCounter = 0;

before(async () => {
  server = await startMllpServer({
    host: '127.0.0.1',
    port: 0,
    maxMessageBytes: 64 * 1024,
    accept,
    now: () => new Date('2026-03-10T13:30:00Z'),
    nextAckId: () => `ACK${++ackCounter}`,
  });
});
after(async () => {
  await server.close();
});

interface Client {
  readonly socket: net.Socket;
  acks(n: number): Promise<string[]>;
  closed: Promise<void>;
}

const connect = async (): Promise<Client> => {
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const decoder = new MllpDecoder(1024 * 1024);
  const got: string[] = [];
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const ev of decoder.push(chunk)) {
      if (ev.kind === 'message') {
        const text = ev.payload.toString('utf8');
        got.push(text);
        store.events.push(`ack ${/MSA\|[^|]*\|([^|\r]*)/.exec(text)?.[1] ?? ''}`);
      }
    }
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return {
    socket,
    closed,
    acks: async (n) => {
      while (got.length < n) {
        await new Promise<void>((r) => waiters.push(r));
      }
      return got.slice(0, n);
    },
  };
};

const seg = (ack: string, name: string): string[] => ack.split('\r').filter((l) => l.startsWith(`${name}|`));

describe('MLLP listener', () => {
  it('answers CA with MSA naming the message control id, in a proper frame', async () => {
    const c = await connect();
    const raw: Buffer[] = [];
    c.socket.on('data', (b: Buffer) => raw.push(b));
    c.socket.write(frame(MSG1));
    const [ack] = await c.acks(1);
    assert.ok(ack);
    const bytes = Buffer.concat(raw);
    assert.equal(bytes[0], VT);
    assert.equal(bytes[bytes.length - 2], FS);
    assert.equal(bytes[bytes.length - 1], CR);
    const msh = seg(ack, 'MSH')[0]?.split('|') ?? [];
    assert.equal(msh[2], 'DMP-GATEWAY', 'MSH-3 = inbound MSH-5');
    assert.equal(msh[4], 'SIL-BIOLAB', 'MSH-5 = inbound MSH-3');
    assert.equal(msh[8], 'ACK^R01^ACK');
    assert.equal(msh[11], '2.5');
    assert.deepEqual([msh[14], msh[15]], ['NE', 'NE'], 'an accept ACK asks for no acknowledgement itself');
    assert.equal(msh[16], 'FRA');
    assert.equal(msh[17], 'UNICODE UTF-8');
    assert.deepEqual(seg(ack, 'MSA'), ['MSA|CA|MSG-0001|']);
    assert.deepEqual(seg(ack, 'ERR'), []);
    c.socket.end();
    await c.closed;
  });

  it('reassembles a frame split into 1-byte writes and garbage between frames', async () => {
    const c = await connect();
    const bytes = Buffer.concat([Buffer.from('noise'), frame(MSG2)]);
    for (const b of bytes) {
      c.socket.write(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    const [ack] = await c.acks(1);
    assert.deepEqual(seg(ack ?? '', 'MSA'), ['MSA|CA|MSG-0002|']);
    c.socket.end();
    await c.closed;
  });

  it('handles several messages on one connection (one write), answering in order', async () => {
    const c = await connect();
    c.socket.write(Buffer.concat([frame(MSG1), frame(BAD), frame(LATIN1)]));
    const acks = await c.acks(3);
    assert.deepEqual(
      acks.map((a) => seg(a, 'MSA')[0]?.split('|').slice(1, 3).join(' ')),
      ['CA MSG-0001', 'CE MSG-0001', 'CA MSG-0008'],
    );
    c.socket.end();
    await c.closed;
  });

  it('answers CE with ERR segments naming segment and field', async () => {
    const c = await connect();
    c.socket.write(frame(BAD));
    const [ack] = await c.acks(1);
    assert.equal(seg(ack ?? '', 'MSA')[0]?.split('|')[1], 'CE');
    const err = seg(ack ?? '', 'ERR');
    assert.equal(err.length, 1);
    const f = err[0]?.split('|') ?? [];
    assert.equal(f[2], 'PID^1^7^1', 'ERR-2 ERL: PID, first PID, field 7');
    assert.equal(f[3], '102^Data type error^messageErrorCondition');
    assert.equal(f[4], 'E');
    assert.equal(f[5], 'HL7_DATE_INVALID');
    assert.match(f[8] ?? '', /PID-7 birth date is invalid/);
    assert.ok(!(ack ?? '').includes('MARTIN'), 'no patient data in the ACK');
    c.socket.end();
    await c.closed;
  });

  it('sends the ACK only after the commit, and CE (never CA) when the store fails; the connection survives', async () => {
    store.events.length = 0;
    const before = store.saved.length;
    const c = await connect();
    store.failNext = true;
    c.socket.write(frame(MSG2));
    const [refused] = await c.acks(1);
    assert.deepEqual(seg(refused ?? '', 'MSA')[0]?.split('|').slice(1, 3), ['CE', 'MSG-0002']);
    assert.equal(seg(refused ?? '', 'ERR')[0]?.split('|')[5], 'STORAGE_UNAVAILABLE');
    assert.equal(store.saved.length, before, 'nothing stored');
    c.socket.write(frame(MSG2));
    const acks = await c.acks(2);
    assert.deepEqual(seg(acks[1] ?? '', 'MSA')[0]?.split('|').slice(1, 3), ['CA', 'MSG-0002']);
    assert.deepEqual(store.events, ['ack MSG-0002', 'commit MSG-0002', 'ack MSG-0002'], 'CE without commit, then commit before CA');
    c.socket.end();
    await c.closed;
  });

  it('answers AR to a frame beyond the size limit and closes the connection', async () => {
    const c = await connect();
    c.socket.write(Buffer.concat([Buffer.from([VT]), Buffer.alloc(70 * 1024, 0x41)]));
    const [ack] = await c.acks(1);
    assert.equal(seg(ack ?? '', 'MSA')[0]?.split('|')[1], 'AR');
    assert.equal(seg(ack ?? '', 'ERR')[0]?.split('|')[5], 'PAYLOAD_TOO_LARGE');
    await c.closed;
  });
});

describe('MLLP decoder', () => {
  it('keeps a lone FS inside a message and finds frames across chunk borders', () => {
    const d = new MllpDecoder(1000);
    const evs = [
      ...d.push(Buffer.from([VT, 0x41, FS])),
      ...d.push(Buffer.from([0x42, FS])),
      ...d.push(Buffer.from([CR, 0x20, VT, 0x43, FS, CR])),
    ];
    assert.deepEqual(
      evs.map((e) => (e.kind === 'message' ? e.payload.toString('latin1') : e.kind)),
      ['A\u001cB', 'C'],
    );
  });
});

describe('ACK builder (volet "Transmission de documents CDA en HL7 v2")', () => {
  it('answers an unsupported version with AE and ERR-2 = MSH^1^12, as the volet example does', async () => {
    const { buildAck, readInboundHeader } = await import('../../../src/adapters/hl7v2/ack.js');
    const { mllpAccept } = await import('../../../src/adapters/mllp/accept.js');
    const { createIntake } = await import('../../../src/app/intake.js');
    const intake = createIntake({
      store: { receive: () => Promise.reject(new Error('must not be called')) },
      parsers: { hl7v2: (raw) => parseHl7v2(raw), fhir: () => assert.fail('not FHIR') },
      ids: { uuid: () => '00000000-0000-4000-8000-000000000000' },
      subjectHash: (s) => s,
    });
    const raw = Buffer.from(MSG1.toString('utf8').replace('|P|2.5|', '|P|3.0|'));
    const result = await mllpAccept(intake)(raw);
    assert.equal(result.code, 'AE');
    const ack = buildAck(readInboundHeader(raw), result, new Date('2026-03-10T13:30:00Z'), 'A1');
    assert.equal(seg(ack, 'ERR')[0]?.split('|').slice(2, 5).join('|'), 'MSH^1^12^1|203^Unsupported version id^messageErrorCondition|E');
  });

  it('answers an MDM (v2.6) with ACK^T02^ACK version 2.6', async () => {
    const { buildAck, readInboundHeader } = await import('../../../src/adapters/hl7v2/ack.js');
    const mdm = 'MSH|^~\\&|SIL|LAB|PFI|LAB|20260310||MDM^T02^MDM_T02|M1|P|2.6|||||FRA|UNICODE UTF-8';
    const ack = buildAck(readInboundHeader(mdm), { code: 'AA' }, new Date('2026-03-10T13:30:00Z'), 'A2');
    const msh = seg(ack, 'MSH')[0]?.split('|') ?? [];
    assert.equal(msh[8], 'ACK^T02^ACK');
    assert.equal(msh[11], '2.6');
    assert.deepEqual(seg(ack, 'MSA'), ['MSA|AA|M1|']);
  });
});
