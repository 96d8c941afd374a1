/**
 * MLLP → intake → SQLite, over a real socket, in both acknowledgement modes: positive ACK (AA / CA) only once stored,
 * again for a resent message (same transmission); a refusal (AE / CE) with ERR and nothing stored; "resend later"
 * (AR / CE, never AA / CA) and nothing stored when the commit fails mid-transaction. Original mode is the volet's
 * (MSH-15/16 empty); our fixture carries MSH-15 AL / MSH-16 NE, which is enhanced mode.
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

const ENHANCED = fixture('hl7v2', '02-haematology-cbc.hl7').toString('utf8');
assert.ok(ENHANCED.includes('|2.5|||AL|NE|'), 'the fixture asks for enhanced mode');
const MODES = [
  { name: 'enhanced mode (MSH-15 AL, MSH-16 NE)', msg: ENHANCED, stored: 'CA', refused: 'CE', notStored: 'CE' },
  { name: 'original mode (MSH-15/16 empty, as the volet)', msg: ENHANCED.replace('|2.5|||AL|NE|', '|2.5|||||'), stored: 'AA', refused: 'AE', notStored: 'AR' },
];

for (const mode of MODES) {
  describe(`MLLP intake on SQLite, ${mode.name}`, () => {
    const MSG = Buffer.from(mode.msg);
    const BAD = Buffer.from(mode.msg.replace('ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8', 'X&1.2.250.1.213.1.4.5'));
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

    it(`${mode.stored} after storing; the same message again is ${mode.stored} with no second transmission`, async () => {
      const ack = await exchange(MSG);
      assert.deepEqual(msa(ack).slice(1, 4), [mode.stored, 'MSG-0002', 'Stored']);
      assert.equal(await count('transmissions'), 1);
      const rows = await t.db.query<{ status: string }>('SELECT status FROM transmissions');
      assert.deepEqual(rows.map((r) => r.status), ['received']);
      const again = await exchange(MSG);
      assert.deepEqual(msa(again).slice(1, 4), [mode.stored, 'MSG-0002', 'Already received']);
      assert.equal(await count('transmissions'), 1);
      assert.equal(await count('inbound_messages'), 1);
    });

    it(`${mode.refused} with an ERR naming PID-3.4.2 for a wrong INS OID, nothing stored`, async () => {
      const ack = await exchange(Buffer.from(BAD.toString('utf8').replace('MSG-0002', 'MSG-0002-B')));
      assert.equal(msa(ack)[1], mode.refused);
      const err = ack.split('\r').find((l) => l.startsWith('ERR|'))?.split('|') ?? [];
      assert.equal(err[2], 'PID^1^3^1^4^2');
      assert.equal(err[5], 'REPORT_INS_OID_UNKNOWN');
      assert.equal(await count('transmissions'), 1);
    });

    it(`${mode.notStored} (never ${mode.stored}) and nothing stored when the commit fails after the inbound row was written`, async () => {
      const other = Buffer.from(MSG.toString('utf8').replace('MSG-0002', 'MSG-0002-C'));
      await t.db.execute('ALTER TABLE transmissions RENAME TO transmissions_off');
      let ack: string;
      try {
        ack = await exchange(other);
      } finally {
        await t.db.execute('ALTER TABLE transmissions_off RENAME TO transmissions');
      }
      assert.equal(msa(ack)[1], mode.notStored);
      assert.equal(ack.split('\r').find((l) => l.startsWith('ERR|'))?.split('|')[5], 'STORAGE_UNAVAILABLE');
      assert.equal(await count('inbound_messages'), 1, 'the inbound row was rolled back');
      assert.equal(await count('transmissions'), 1);
      assert.deepEqual(msa(await exchange(other)).slice(1, 3), [mode.stored, 'MSG-0002-C']);
    });
  });
}
