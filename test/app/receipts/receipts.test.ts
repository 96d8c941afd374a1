/**
 * The SIL's DMP receipts (ZAM^Z01^ZAM_Z01, volet "Transmission de documents CDA en HL7 v2") over real storage
 * (SQLite and PostgreSQL) and a real MLLP listener on loopback acting as the SIL: queued with the delivery outcome in
 * its transaction, sent once, retried while the SIL is down, given up with an audit record, never lost.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TransmissionStore } from '../../../src/adapters/storage/transmissions.js';
import { OutboxStore } from '../../../src/adapters/storage/outbox.js';
import { SilReceiptStore } from '../../../src/adapters/storage/receipts.js';
import { rowToAudit } from '../../../src/adapters/storage/audit-store.js';
import { parseHl7v2, parseHl7v2Batch } from '../../../src/adapters/hl7v2/parse.js';
import { sendMllp } from '../../../src/adapters/mllp/client.js';
import { verifyChain } from '../../../src/core/audit/chain.js';
import { evaluateIdentity } from '../../../src/core/ins/gate.js';
import type { LabReport } from '../../../src/core/report/model.js';
import { processReceived, type ProcessDeps } from '../../../src/app/outbox/process.js';
import { deliverOne, sweepExpired, type DeliverDeps } from '../../../src/app/outbox/deliver.js';
import { queueDmpReceipt } from '../../../src/app/receipts/queue.js';
import { createReceiptWorker, type ReceiptWorkerDeps } from '../../../src/app/receipts/worker.js';
import { createLogger } from '../../../src/logging/logger.js';
import { ENGINES, type TestDb } from '../../helpers/db.js';
import { FixedClock } from '../../helpers/clock.js';
import { FakeDmp } from '../../helpers/fake-route.js';
import { FakeSil } from '../../helpers/fake-sil.js';
import { LogSink } from '../../helpers/log-sink.js';
import { sampleReport } from '../../helpers/reports.js';
import { fixture } from '../../unit/hl7v2/golden.js';
import { oruWithAckReception, zamOf } from './zam-helpers.js';
import { buildEvidencePack } from '../../../src/adapters/audit/evidence.js';
import { unzip } from '../../adapters/audit/unzip.js';

const ACCEPTED = ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10'];

for (const engine of ENGINES) {
  describe(`SIL DMP receipts (${engine.name})`, () => {
    let t: TestDb;
    let sil: FakeSil;
    let clock: FixedClock;
    let store: TransmissionStore;
    let outbox: OutboxStore;
    let receipts: SilReceiptStore;
    let dmp: FakeDmp;
    let p: ProcessDeps;
    let d: DeliverDeps;
    let w: ReceiptWorkerDeps;
    let sink: LogSink;
    let n = 0;

    before(async () => {
      t = await engine.open();
      sil = await FakeSil.start();
    });
    after(async () => {
      await sil.down();
      await t.dispose();
    });
    beforeEach(async () => {
      sil.received.length = 0;
      sil.script.length = 0;
      if (!sil.listening) {
        await sil.up();
      }
      clock = new FixedClock('2026-03-01T10:00:00.000Z');
      const ids = { uuid: () => randomUUID() };
      store = new TransmissionStore(t.db, clock, ids);
      outbox = new OutboxStore(t.db);
      receipts = new SilReceiptStore(t.db);
      dmp = new FakeDmp();
      sink = new LogSink();
      p = {
        db: t.db,
        transmissions: store,
        outbox,
        clock,
        ids,
        identityGate: (r) => evaluateIdentity(r.patient, { acceptedOids: ACCEPTED }),
        build: (_r, v) => Promise.resolve({ xml: `<ClinicalDocument><id root="${v.documentId}"/></ClinicalDocument>`, issues: [] }),
        validator: { validate: () => Promise.resolve([]) },
        formatTime: (x) => x.toISOString().replace('Z', '+00:00'),
      };
      d = {
        db: t.db,
        transmissions: store,
        outbox,
        route: dmp,
        clock,
        ids,
        retry: { baseMs: 1000, maxDelayMs: 60000, maxAttempts: 4, maxAgeMs: 24 * 3600 * 1000 },
        leaseMs: 30000,
        random: () => 0.5,
        owner: 'test-instance',
        onSettled: queueDmpReceipt({ db: t.db, receipts, clock, ids }),
      };
      w = {
        db: t.db,
        receipts,
        clock,
        ids,
        send: (payload) => sendMllp({ host: '127.0.0.1', port: sil.port, payload, timeoutMs: 2000 }),
        retry: { baseMs: 1000, maxDelayMs: 60000, maxAttempts: 3, maxAgeMs: Number.POSITIVE_INFINITY },
        leaseMs: 10000,
        random: () => 0.5,
        owner: 'receipt-worker',
        logger: createLogger({ level: 'info', destination: sink }),
      };
    });

    /** Stores a SIL message (raw bytes + its reports), as the intake does. */
    const receive = async (raw: Buffer, reports: readonly LabReport[]): Promise<string[]> => {
      n++;
      const r = await store.receive(
        { id: `in-r-${engine.name}-${n}`, sender: reports[0]?.sender ?? 'SIL', messageId: `${reports[0]?.messageId ?? 'M'}-${n}`, contentType: 'application/hl7-v2', raw },
        reports.map((report, i) => ({ id: `tr-r-${engine.name}-${n}-${i}`, reportIndex: i, accession: `${report.accessionNumber}-${engine.name}-${n}`, insHash: 'h', reportJson: JSON.stringify(report) })),
        { actor: 'sil:test' },
      );
      return r.transmissions.map((x) => x.id);
    };
    const submit = async (ack: boolean): Promise<{ id: string; messageId: string }> => {
      const messageId = `MSG-R-${engine.name}-${n + 1}`;
      const raw = oruWithAckReception(fixture('hl7v2', '01-biochemistry-final.hl7'), messageId, ack);
      const [id] = await receive(raw, [parseHl7v2(raw).report]);
      return { id: id ?? '', messageId };
    };
    const processAndDeliver = async (): Promise<void> => {
      for (const x of await outbox.claimReceived('p', clock.now(), new Date(clock.now().getTime() + 1000), 100)) {
        await processReceived(p, x);
      }
      for (const x of await outbox.claim('test-instance', clock.now(), new Date(clock.now().getTime() + 30000), 100)) {
        await deliverOne(d, x);
      }
    };
    const drain = (deps: ReceiptWorkerDeps = w): Promise<void> => createReceiptWorker(deps, { pollMs: 10 }).drain();
    const auditTypes = async (id: string): Promise<string[]> => (await t.db.query<{ type: string; outcome: string }>('SELECT type, outcome FROM audit_events WHERE transmission_id = ? ORDER BY seq', [id])).map((r) => `${r.type}:${r.outcome}`);

    it('delivered: the SIL receives exactly one ZAM, OBX-5 = Y and OBX-4 = the original MSH-10; sent, audited, chain intact', async () => {
      const { id, messageId } = await submit(true);
      await processAndDeliver();
      assert.equal((await store.get(id))?.status, 'delivered');
      await drain();
      await drain();
      assert.equal(sil.received.length, 1);
      const zam = zamOf(sil.received[0]);
      assert.equal(zam.msh.get(9, 1) + zam.msh.get(9, 2) + zam.msh.get(9, 3), 'ZAMZ01ZAM_Z01');
      assert.deepEqual([zam.msh.get(3), zam.msh.get(5), zam.msh.get(12), zam.msh.get(18)], ['DMP-GATEWAY', 'SIL-BIOLAB', '2.6', 'UNICODE UTF-8']);
      assert.deepEqual([zam.obx?.get(3, 1), zam.obx?.get(3, 2), zam.obx?.get(3, 3)], ['ACK_RECEPTION_DMP', 'Accusé de réception DMP', 'AckMetierZAM']);
      assert.equal(zam.obx?.get(4), messageId);
      assert.equal(zam.obx?.get(5, 1), 'Y');
      assert.equal(zam.err, undefined);
      const [r] = await receipts.byTransmission(id);
      assert.equal(r?.state, 'sent');
      assert.equal(r?.attempts, 1);
      assert.equal(zam.msh.get(10), r?.controlId);
      assert.deepEqual((await auditTypes(id)).slice(-3), ['delivery.outcome:success', 'receipt.queued:info', 'receipt.attempt:success']);
      assert.equal(verifyChain((await t.db.query('SELECT * FROM audit_events ORDER BY seq')).map(rowToAudit)), undefined);
      assert.ok(!sink.text.includes('185076912304596') && !sink.text.includes('MARTIN'), 'no patient data in the logs');

      // The evidence pack of the transmission carries the receipt as sent, and its fate.
      const tr = await store.get(id);
      const pack = unzip(await buildEvidencePack(t.db, tr ?? assert.fail('no transmission'), { now: clock.now(), requestedBy: 'test', trust: undefined, observer: { observer: 'test' } }));
      assert.equal(pack.get(`sil/receipt-${r?.controlId ?? ''}.hl7`)?.toString('utf8'), sil.received[0]?.toString('utf8'));
      const meta = JSON.parse(pack.get('sil/receipts.json')?.toString('utf8') ?? '[]') as { controlId: string; originalControlId: string; accepted: boolean; state: string; attempts: number }[];
      assert.deepEqual(meta.map((m) => [m.controlId, m.originalControlId, m.accepted, m.state, m.attempts]), [[r?.controlId, messageId, true, 'sent', 1]]);
    });

    it('DMP permanent failure: ZAM with OBX-5 = N and ERR-5 naming the DMP error', async () => {
      dmp.script.push('reject');
      const { id, messageId } = await submit(true);
      await processAndDeliver();
      assert.equal((await store.get(id))?.status, 'failed');
      await drain();
      assert.equal(sil.received.length, 1);
      const zam = zamOf(sil.received[0]);
      assert.equal(zam.obx?.get(4), messageId);
      assert.equal(zam.obx?.get(5, 1), 'N');
      assert.deepEqual([zam.err?.get(3, 1), zam.err?.get(4), zam.err?.get(5, 1), zam.err?.get(5, 2), zam.err?.get(5, 3)], ['207', 'E', 'DMP_METADATA_REJECTED', 'XDSRegistryMetadataError', 'DMP_ERROR_CODE']);
    });

    it('the SIL down at first, then up: retried with backoff, received once, the same MSH-10', async () => {
      const { id } = await submit(true);
      await processAndDeliver();
      await sil.down();
      await drain();
      let [r] = await receipts.byTransmission(id);
      assert.deepEqual([r?.state, r?.attempts, r?.lastErrorCode], ['pending', 1, 'MLLP_PEER_UNREACHABLE']);
      assert.ok(Date.parse(r?.nextAttemptAt ?? '') > clock.now().getTime(), 'next attempt later');
      await sil.up();
      await drain();
      assert.equal(sil.received.length, 0, 'not due yet');
      clock.advance(60_000);
      await drain();
      assert.equal(sil.received.length, 1);
      [r] = await receipts.byTransmission(id);
      assert.deepEqual([r?.state, r?.attempts], ['sent', 2]);
      assert.equal(zamOf(sil.received[0]).msh.get(10), r?.controlId);
      assert.deepEqual((await auditTypes(id)).slice(-2), ['receipt.attempt:failure', 'receipt.attempt:success']);
    });

    it('a report without ACK_RECEPTION: no receipt queued, nothing sent', async () => {
      const { id } = await submit(false);
      await processAndDeliver();
      assert.equal((await store.get(id))?.status, 'delivered');
      await drain();
      assert.deepEqual(await receipts.byTransmission(id), []);
      assert.equal(sil.received.length, 0);
    });

    it('no worker (no SIL address): nothing sent and nothing lost — the receipt waits and goes once a worker runs', async () => {
      const { id } = await submit(true);
      await processAndDeliver();
      assert.equal(sil.received.length, 0);
      assert.equal((await receipts.byTransmission(id))[0]?.state, 'pending');
      assert.ok((await receipts.countPending()) >= 1);
      clock.advance(7 * 24 * 3600 * 1000); // configured a week later: still owed
      await drain();
      assert.equal(sil.received.length, 1);
      assert.equal((await receipts.byTransmission(id))[0]?.state, 'sent');
    });

    it('the SIL answers AE: given up at once (SIL_RECEIPT_REFUSED), audited receipt.failed', async () => {
      const { id } = await submit(true);
      await processAndDeliver();
      sil.script.push('AE');
      await drain();
      clock.advance(3600_000);
      await drain();
      assert.equal(sil.received.length, 1);
      const [r] = await receipts.byTransmission(id);
      assert.deepEqual([r?.state, r?.lastErrorCode], ['failed', 'SIL_RECEIPT_REFUSED']);
      assert.deepEqual((await auditTypes(id)).slice(-2), ['receipt.attempt:failure', 'receipt.failed:failure']);
    });

    it('an answer that is not an ACK of this ZAM, or AR, is retried; maxAttempts gives up with an audit record', async () => {
      const { id } = await submit(true);
      await processAndDeliver();
      sil.script.push('other-id', 'AR', 'garbage');
      for (let i = 0; i < 3; i++) {
        await drain();
        clock.advance(60_000);
      }
      await drain();
      assert.equal(sil.received.length, 3, 'three attempts, then no more');
      const [r] = await receipts.byTransmission(id);
      assert.deepEqual([r?.state, r?.attempts, r?.lastErrorCode], ['failed', 3, 'SIL_RECEIPT_ANSWER_INVALID']);
      const codes = (await t.db.query<{ details: string }>("SELECT details FROM audit_events WHERE transmission_id = ? AND type = 'receipt.attempt' ORDER BY seq", [id])).map((x) => (JSON.parse(x.details) as { code: string }).code);
      assert.deepEqual(codes, ['SIL_RECEIPT_ANSWER_INVALID', 'SIL_RECEIPT_NOT_PROCESSED', 'SIL_RECEIPT_ANSWER_INVALID']);
      assert.equal((await auditTypes(id)).at(-1), 'receipt.failed:failure');
    });

    it('an instance that died holding a receipt: its lease runs out and another sends it', async () => {
      const { id } = await submit(true);
      await processAndDeliver();
      const claimed = await receipts.claim('dead-instance', clock.now(), new Date(clock.now().getTime() + 10000), 10);
      assert.ok(claimed.some((x) => x.transmissionId === id));
      await drain();
      assert.equal(sil.received.length, 0, 'leased by the dead instance');
      clock.advance(11_000);
      await drain();
      assert.equal(sil.received.length, 1);
    });

    it('the receipt is stored with the outcome or not at all: a failing insert leaves the delivery unsettled', async () => {
      const { id } = await submit(true);
      const queue = d.onSettled;
      let fail = true;
      d = { ...d, onSettled: async (tx, s) => {
        await queue?.(tx, s);
        if (fail) {
          throw new Error('disk full');
        }
      } };
      await assert.rejects(processAndDeliver(), /disk full/);
      assert.equal((await store.get(id))?.status, 'sending', 'not delivered without its receipt');
      assert.deepEqual(await receipts.byTransmission(id), []);
      // The lease runs out, the send is reconciled (found in the DMP) and settled with its receipt.
      fail = false;
      clock.advance(31_000);
      await sweepExpired(d);
      clock.advance(2_000);
      await processAndDeliver();
      assert.equal((await store.get(id))?.status, 'delivered');
      await drain();
      assert.equal(sil.received.length, 1);
      assert.equal(zamOf(sil.received[0]).obx?.get(5, 1), 'Y');
    });

    it('a batch: each report gets its own ZAM naming its own message (OBX-4)', async () => {
      const raw = oruWithAckReception(fixture('hl7v2', '16-batch.hl7'), undefined, true);
      const items = parseHl7v2Batch(raw).flatMap((x) => (x.ok ? [x.report] : []));
      assert.equal(items.length, 2);
      const ids = await receive(raw, items);
      await processAndDeliver();
      await drain();
      const byOriginal = sil.received.map((b) => zamOf(b).obx?.get(4)).sort();
      assert.deepEqual(byOriginal, ['MSG-0016-1', 'MSG-0016-2']);
      for (const id of ids) {
        assert.equal((await receipts.byTransmission(id))[0]?.state, 'sent');
      }
    });

    it('an original with no MSH to read back (not HL7 v2): recorded failed, audited, the delivery unaffected', async () => {
      const report = sampleReport({ accessionNumber: 'ACC-JSON', flags: { ...sampleReport().flags, ackReception: true } });
      const [id] = await receive(Buffer.from(JSON.stringify({ resourceType: 'Bundle' })), [report]);
      await processAndDeliver();
      assert.equal((await store.get(id ?? ''))?.status, 'delivered');
      const [r] = await receipts.byTransmission(id ?? '');
      assert.deepEqual([r?.state, r?.lastErrorCode], ['failed', 'SIL_RECEIPT_ORIGINAL_UNREADABLE']);
      await drain();
      assert.equal(sil.received.length, 0);
      assert.equal((await auditTypes(id ?? '')).at(-1), 'receipt.failed:failure');
    });
  });
}
