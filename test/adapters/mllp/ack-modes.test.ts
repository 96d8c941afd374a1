/**
 * HL7 v2.5 acknowledgement modes over a real loopback socket (ack-mode.ts). MSH-15/16 empty, as in the CI-SIS volet
 * and its official examples: original mode AA / AE / AR. Valued: enhanced mode, the commit ACK CA / CE / CR sent as
 * MSH-15 asks (AL, NE, ER, SU), each for a stored message, a refused one and one the store could not commit. After
 * every message a probe (MSH-15 AL) goes down the same connection: its CA proves that the connection still works
 * and, since ACKs come in order, that nothing was sent for the message before it when nothing was due.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseHl7v2 } from '../../../src/adapters/hl7v2/parse.js';
import { isGatewayError } from '../../../src/core/errors/index.js';
import { frame, MllpDecoder } from '../../../src/adapters/mllp/framing.js';
import { startMllpServer, type AckResult, type MllpServer } from '../../../src/adapters/mllp/server.js';
import { fixture, repoRoot } from '../../unit/hl7v2/golden.js';

const BASE = fixture('hl7v2', '01-biochemistry-final.hl7').toString('utf8');

/** The fixture with another MSH-10, MSH-15, MSH-16 (and optionally a broken birth date or another MSH-12). */
const message = (id: string, accept: string, application: string, fault?: 'content' | 'version'): Buffer => {
  const [msh = '', ...rest] = BASE.split('\r');
  const f = msh.split('|');
  f[9] = id;
  f[14] = accept;
  f[15] = application;
  if (fault === 'version') {
    f[11] = '3.0';
  }
  const body = rest.join('\r');
  return Buffer.from([f.join('|'), fault === 'content' ? body.replace('|19850714|M|', '|19851399|M|') : body].join('\r'));
};

/** Commits to memory, records commits and ACKs in order, and can be told to fail once. */
const events: string[] = [];
const saved = new Set<string>();
let failNext = false;
const accept = async (raw: Buffer): Promise<AckResult> => {
  try {
    const { report } = parseHl7v2(raw);
    await new Promise((r) => setImmediate(r));
    if (failNext) {
      failNext = false;
      throw new Error('disk I/O error');
    }
    saved.add(report.messageId);
    events.push(`commit ${report.messageId}`);
    return { code: 'AA', text: 'Stored' };
  } catch (e) {
    if (isGatewayError(e) && e.status < 500) {
      return { code: 'AE', errorCode: e.code, text: e.message, issues: e.issues };
    }
    throw e;
  }
};

let server: MllpServer;
before(async () => {
  server = await startMllpServer({ host: '127.0.0.1', port: 0, maxMessageBytes: 1024 * 1024, accept, now: () => new Date('2026-03-10T13:30:00Z'), nextAckId: () => 'ACK' });
});
after(async () => {
  await server.close();
});

const msaOf = (ack: string): string[] => ack.split('\r').find((l) => l.startsWith('MSA|'))?.split('|') ?? [];
const errs = (ack: string): string[][] => ack.split('\r').filter((l) => l.startsWith('ERR|')).map((l) => l.split('|'));

/** Sends the payloads on one connection, then a probe; resolves with every ACK up to the probe's. */
const exchange = async (payloads: Buffer[], probeId: string, port = server.port): Promise<string[]> => {
  const socket = net.connect(port, '127.0.0.1');
  const decoder = new MllpDecoder(1024 * 1024);
  const acks = await new Promise<string[]>((resolve, reject) => {
    const got: string[] = [];
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      for (const ev of decoder.push(chunk)) {
        if (ev.kind === 'message') {
          const text = ev.payload.toString('utf8');
          got.push(text);
          events.push(`ack ${msaOf(text)[2] ?? ''}`);
          if (msaOf(text)[2] === probeId) {
            resolve(got);
          }
        }
      }
    });
    socket.write(Buffer.concat([...payloads, message(probeId, 'AL', 'NE')].map((p) => frame(p))));
  });
  socket.end();
  return acks;
};

type Outcome = 'stored' | 'refused' | 'not stored';
const CASES: readonly { readonly msh15: string; readonly msh16: string; readonly expect: Readonly<Record<Outcome, string | undefined>> }[] = [
  { msh15: '', msh16: '', expect: { stored: 'AA', refused: 'AE', 'not stored': 'AR' } },
  { msh15: 'AL', msh16: 'NE', expect: { stored: 'CA', refused: 'CE', 'not stored': 'CE' } },
  { msh15: 'NE', msh16: 'NE', expect: { stored: undefined, refused: undefined, 'not stored': undefined } },
  { msh15: 'ER', msh16: 'NE', expect: { stored: undefined, refused: 'CE', 'not stored': 'CE' } },
  { msh15: 'SU', msh16: 'NE', expect: { stored: 'CA', refused: undefined, 'not stored': undefined } },
  { msh15: 'AL', msh16: 'AL', expect: { stored: 'CA', refused: 'CE', 'not stored': 'CE' } },
];

describe('MLLP acknowledgement modes (MSH-15 / MSH-16)', () => {
  for (const c of CASES) {
    for (const outcome of ['stored', 'refused', 'not stored'] as const) {
      const expected = c.expect[outcome];
      it(`MSH-15 "${c.msh15}" MSH-16 "${c.msh16}", ${outcome}: ${expected ?? 'no ACK'}`, async () => {
        const id = `M-${c.msh15 || 'x'}${c.msh16 || 'x'}-${outcome.replace(' ', '')}`;
        const probe = `P-${id}`;
        events.length = 0;
        failNext = outcome === 'not stored';
        const acks = await exchange([message(id, c.msh15, c.msh16, outcome === 'refused' ? 'content' : undefined)], probe);
        assert.deepEqual(
          acks.map((a) => msaOf(a).slice(1, 3).join(' ')),
          [...(expected ? [`${expected} ${id}`] : []), `CA ${probe}`],
        );
        assert.equal(saved.has(id), outcome === 'stored');
        if (outcome === 'stored') {
          assert.equal(events[0], `commit ${id}`, 'the commit comes before any ACK');
        }
        const ack = expected ? (acks[0] ?? '') : '';
        if (expected === 'CE' || expected === 'AE' || expected === 'AR') {
          assert.equal(errs(ack)[0]?.[5], outcome === 'refused' ? 'HL7_DATE_INVALID' : 'STORAGE_UNAVAILABLE');
          assert.equal(errs(ack)[0]?.[4], 'E');
        }
        if (expected?.startsWith('C')) {
          assert.deepEqual(ack.split('\r')[0]?.split('|').slice(14, 16), ['NE', 'NE'], 'an accept ACK asks for no acknowledgement');
        }
      });
    }
  }

  it('an unsupported version is AE in original mode (the volet example), CR in enhanced mode, nothing with SU', async () => {
    const acks = await exchange([message('V-orig', '', '', 'version'), message('V-al', 'AL', 'NE', 'version'), message('V-su', 'SU', 'NE', 'version'), message('V-er', 'ER', 'NE', 'version')], 'P-V');
    assert.deepEqual(acks.map((a) => msaOf(a).slice(1, 3).join(' ')), ['AE V-orig', 'CR V-al', 'CR V-er', 'CA P-V']);
    assert.deepEqual(acks.slice(0, 3).map((a) => errs(a)[0]?.slice(2, 6).join('|')), Array(3).fill('MSH^1^12^1|203^Unsupported version id^messageErrorCondition|E|HL7_VERSION_UNSUPPORTED'));
  });

  it('MSH-15 empty with MSH-16 valued, or outside table 0155, is answered as AL with a warning', async () => {
    const acks = await exchange([message('E-1', '', 'AL'), message('E-2', 'XX', 'NE')], 'P-E');
    assert.deepEqual(acks.map((a) => msaOf(a).slice(1, 3).join(' ')), ['CA E-1', 'CA E-2', 'CA P-E']);
    for (const a of acks.slice(0, 2)) {
      assert.deepEqual(errs(a).map((e) => [e[4], e[5], e[7]]), [['W', 'HL7_ACK_TYPE_UNKNOWN', 'MSH[1].15']]);
    }
  });

  it('several suppressed ACKs in a row keep the connection and the order', async () => {
    events.length = 0;
    const acks = await exchange([message('S-1', 'NE', 'NE'), message('S-2', 'ER', 'NE'), message('S-3', 'SU', 'NE', 'content'), message('S-4', 'SU', 'NE')], 'P-S');
    assert.deepEqual(acks.map((a) => msaOf(a).slice(1, 3).join(' ')), ['CA S-4', 'CA P-S']);
    assert.deepEqual(events, ['commit S-1', 'commit S-2', 'commit S-4', 'ack S-4', 'commit P-S', 'ack P-S']);
  });

  it('the six official ANS examples (MSH-15/16 empty) get the volet\'s original-mode answers', async () => {
    const dir = path.resolve(repoRoot, '..', 'shared', 'reference', 'hl7v2');
    const files = readdirSync(dir).filter((f) => f.startsWith('ans-')).sort();
    assert.equal(files.length, 6);
    const acks = await exchange(files.map((f) => readFileSync(path.join(dir, f))), 'P-ANS');
    const answers = acks.slice(0, -1).map((a, i) => `${files[i] ?? ''} ${msaOf(a).slice(1, 3).join(' ')} ${errs(a).find((e) => e[4] === 'E')?.[5] ?? ''}`.trim());
    assert.deepEqual(answers, [
      'ans-segur-v2.1-ORU_R01-crbio-init-N3-electrophorese.hl7 AA 015',
      'ans-v1.2-ORU_R01-crbio.hl7 AE 015 REPORT_INS_KEY_MISMATCH',
      'ans-v2.1-ORU_R01-crbio-delete-N1N3.er7 AE 015 REPORT_EMBEDDED_CDA_INVALID',
      'ans-v2.1-ORU_R01-crbio-init-N1N3.hl7 AE 015 REPORT_EMBEDDED_CDA_INVALID',
      'ans-v2.1-ORU_R01-crbio-replace-N1N3-base64.er7 AE 015 REPORT_EMBEDDED_CDA_MISMATCH',
      'ans-v2.1-ORU_R01-crbio-replace-N1N3.er7 AE 015 REPORT_EMBEDDED_CDA_INVALID',
    ]);
    assert.deepEqual(acks[0]?.split('\r')[0]?.split('|').slice(14, 16), ['', ''], 'an original-mode ACK leaves MSH-15/16 empty');
  });
});

describe('MLLP acknowledgement setting "original" (mllp.acknowledgement)', () => {
  it('answers AA / AE / AR for every message, whatever MSH-15/16 say, and nothing is left unanswered', async () => {
    const original = await startMllpServer({ host: '127.0.0.1', port: 0, maxMessageBytes: 1024 * 1024, accept, now: () => new Date('2026-03-10T13:30:00Z'), nextAckId: () => 'ACK', acknowledgement: 'original' });
    try {
      const sent = [message('O-1', 'AL', 'NE'), message('O-2', 'NE', 'NE'), message('O-3', 'SU', 'NE', 'content'), message('O-4', 'ER', 'AL')];
      const acks = await exchange(sent, 'P-O', original.port);
      assert.deepEqual(acks.map((a) => msaOf(a).slice(1, 3).join(' ')), ['AA O-1', 'AA O-2', 'AE O-3', 'AA O-4', 'AA P-O']);
    } finally {
      await original.close();
    }
  });
});
