/**
 * MLLP → intake → SQLite, over a real socket: AA only once stored, AA again (same transmission) for a resent message,
 * AE with ERR and nothing stored for a bad one, AR and nothing stored when the commit fails mid-transaction.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { intakeFor } from '../../../src/adapters/http/routes/reports.js';
import { mllpAccept } from '../../../src/adapters/mllp/accept.js';
import { frame, MllpDecoder } from '../../../src/adapters/mllp/framing.js';
import { startMllpServer, type MllpServer } from '../../../src/adapters/mllp/server.js';
import { sqliteTestDb, type TestDb } from '../../helpers/db.js';
import { httpDeps } from '../../helpers/http-deps.js';
import { fixture } from '../../unit/hl7v2/golden.js';

const MSG = fixture('hl7v2', '02-haematology-cbc.hl7');
const BAD = Buffer.from(MSG.toString('utf8').replace('ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8', 'X&1.2.250.1.213.1.4.5'));

let t: TestDb;
let server: MllpServer;

before(async () => {
  t = await sqliteTestDb();
  const h = httpDeps(t.db);
  server = await startMllpServer({
    host: '127.0.0.1',
    port: 0,
    maxMessageBytes: 1024 * 1024,
    accept: mllpAccept(intakeFor(h.deps)),
    now: () => h.clock.now(),
    nextAckId: () => 'ACK1',
  });
});
after(async () => {
  await server.close();
  await t.dispose();
});

/** Sends one framed message on a new connection and returns the ACK text. */
const exchange = async (payload: Buffer): Promise<string> => {
  const socket = net.connect(server.port, '127.0.0.1');
  const decoder = new MllpDecoder(1024 * 1024);
  const ack = await new Promise<string>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      for (const ev of decoder.push(chunk)) {
        if (ev.kind === 'message') {
          resolve(ev.payload.toString('utf8'));
        }
      }
    });
    socket.write(frame(payload));
  });
  socket.end();
  return ack;
};
const msa = (ack: string): string[] => ack.split('\r').find((l) => l.startsWith('MSA|'))?.split('|') ?? [];
const count = async (table: string): Promise<number> => Number((await t.db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n);

describe('MLLP intake on SQLite', () => {
  it('AA after storing; the same message again is AA with no second transmission', async () => {
    const ack = await exchange(MSG);
    assert.deepEqual(msa(ack).slice(1, 4), ['AA', 'MSG-0002', 'Stored']);
    assert.equal(await count('transmissions'), 1);
    const rows = await t.db.query<{ status: string }>('SELECT status FROM transmissions');
    assert.deepEqual(rows.map((r) => r.status), ['received']);
    const again = await exchange(MSG);
    assert.deepEqual(msa(again).slice(1, 4), ['AA', 'MSG-0002', 'Already received']);
    assert.equal(await count('transmissions'), 1);
    assert.equal(await count('inbound_messages'), 1);
  });

  it('AE with an ERR naming PID-3.4.2 for a wrong INS OID, nothing stored', async () => {
    const ack = await exchange(Buffer.from(BAD.toString('utf8').replace('MSG-0002', 'MSG-0002-B')));
    assert.equal(msa(ack)[1], 'AE');
    const err = ack.split('\r').find((l) => l.startsWith('ERR|'))?.split('|') ?? [];
    assert.equal(err[2], 'PID^1^3^1^4^2');
    assert.equal(err[5], 'REPORT_INS_OID_UNKNOWN');
    assert.equal(await count('transmissions'), 1);
  });

  it('AR (never AA) and nothing stored when the commit fails after the inbound row was written', async () => {
    const other = Buffer.from(MSG.toString('utf8').replace('MSG-0002', 'MSG-0002-C'));
    await t.db.execute('ALTER TABLE transmissions RENAME TO transmissions_off');
    let ack: string;
    try {
      ack = await exchange(other);
    } finally {
      await t.db.execute('ALTER TABLE transmissions_off RENAME TO transmissions');
    }
    assert.equal(msa(ack)[1], 'AR');
    assert.equal(await count('inbound_messages'), 1, 'the inbound row was rolled back');
    assert.equal(await count('transmissions'), 1);
    assert.deepEqual(msa(await exchange(other)).slice(1, 3), ['AA', 'MSG-0002-C']);
  });
});
