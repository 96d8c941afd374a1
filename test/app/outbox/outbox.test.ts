/**
 * The outbox use cases over real storage (SQLite and PostgreSQL), with an in-memory DMP: states, versions,
 * retries, dead letter, reconcile-before-resend, lease expiry, replay, a claimed batch recorded as sending.
 * The runner (its loops, wake-ups, circuit breaker, concurrency, two instances) is in runner.test.ts.
 */
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TransmissionStore } from '../../../src/adapters/storage/transmissions.js';
import type { OutboxStore } from '../../../src/adapters/storage/outbox.js';
import { rowToAudit } from '../../../src/adapters/storage/audit-store.js';
import { verifyChain } from '../../../src/core/audit/chain.js';
import { identityGateWithRecord } from '../../../src/app/identity-holds.js';
import { InsTraitsStore } from '../../../src/adapters/insi/traits-store.js';
import { processReceived, type ProcessDeps } from '../../../src/app/outbox/process.js';
import { deliverOne, recordSending, sweepExpired, type DeliverDeps } from '../../../src/app/outbox/deliver.js';
import { replay } from '../../../src/app/outbox/replay.js';
import { ENGINES, type TestDb } from '../../helpers/db.js';
import type { FixedClock } from '../../helpers/clock.js';
import type { FakeDmp } from '../../helpers/fake-route.js';
import { sampleReport } from '../../helpers/reports.js';
import { ACCEPTED, outboxContext } from './setup.js';

for (const engine of ENGINES) {
  describe(`outbox (${engine.name})`, () => {
    const c = outboxContext(engine);
    // The context's parts as each test starts; a test that replaces p or d for the helpers sets it on c too.
    let t: TestDb;
    let clock: FixedClock;
    let store: TransmissionStore;
    let outbox: OutboxStore;
    let dmp: FakeDmp;
    let p: ProcessDeps;
    let d: DeliverDeps;
    beforeEach(() => ({ t, clock, store, outbox, dmp, p, d } = c));
    const { submit, processAll, deliverAll, status } = c;

    it('a qualified report goes received → ready → sending → delivered, one document, audited, chain intact', async () => {
      const id = await submit(sampleReport({ accessionNumber: `A-${engine.name}-1` }));
      await processAll();
      assert.equal(await status(id), 'ready');
      await deliverAll();
      assert.equal(await status(id), 'delivered');
      assert.equal(dmp.entries.size, 1);
      const types = (await t.db.query<{ type: string }>('SELECT type FROM audit_events WHERE transmission_id = ? ORDER BY seq', [id])).map((r) => r.type);
      assert.deepEqual(types, ['report.received', 'identity.decision', 'document.built', 'delivery.attempt', 'delivery.outcome']);
      assert.equal(verifyChain((await t.db.query('SELECT * FROM audit_events ORDER BY seq')).map(rowToAudit)), undefined);
    });

    it('a non-qualified identity is held with its reasons and never reaches the DMP', async () => {
      const id = await submit(sampleReport({ accessionNumber: `A-${engine.name}-2` }, { status: 'VALI' }));
      await processAll();
      assert.equal(await status(id), 'identity_hold');
      assert.ok((await store.get(id))?.issues.length, 'reasons kept');
      await deliverAll();
      assert.equal(dmp.submissions.length, 0);
    });

    it('a report whose strict traits disagree with the INS traits on record (earlier INSi answer) is held', async () => {
      const traits = new InsTraitsStore(t.db, (ins) => `k:${ins}`);
      // INSi answered, for this INS, the traits of another person (a parent's INS on a child's report).
      await traits.record('279035121518989', '1.2.250.1.213.1.4.10', { birthName: 'PAT-TROIS', birthGivenNames: 'MARIE', sex: 'F', birthDate: '1952-11-02', birthPlaceCog: '51215' }, 'insi:RECSANSVITALE', clock.now());
      const gated: ProcessDeps = { ...p, identityGate: identityGateWithRecord({ acceptedOids: ACCEPTED }, async (ins) => (await traits.get(ins))?.traits) };
      const id = await submit(sampleReport({ accessionNumber: `A-${engine.name}-traits` }));
      for (const x of await outbox.claimReceived('p', clock.now(), new Date(clock.now().getTime() + 1000), 100)) {
        await processReceived(gated, x);
      }
      const held = await store.get(id);
      assert.equal(held?.status, 'identity_hold');
      assert.ok(held?.issues.some((i) => i.severity === 'error'), JSON.stringify(held?.issues));
      // The same report without traits on record goes on.
      const other = await submit(sampleReport({ accessionNumber: `A-${engine.name}-traits-2` }, { ins: { value: '180032B02040123', oid: '1.2.250.1.213.1.4.10' }, sex: 'M', birthDate: '1980-03-01', birthPlaceCog: '2B040' }));
      for (const x of await outbox.claimReceived('p', clock.now(), new Date(clock.now().getTime() + 1000), 100)) {
        await processReceived(gated, x);
      }
      assert.equal(await status(other), 'ready');
      await deliverAll();
      assert.equal(await status(other), 'delivered');
    });

    it("the patient's opposition ends in opposed, nothing sent", async () => {
      const r = sampleReport({ accessionNumber: `A-${engine.name}-3` });
      const id = await submit({ ...r, flags: { ...r.flags, patientOpposed: true } });
      await processAll();
      await deliverAll();
      assert.equal(await status(id), 'opposed');
      assert.equal(dmp.submissions.length, 0);
    });

    it('a document failing the conformance gate is quarantined with its issues; replay rebuilds it', async () => {
      const id = await submit(sampleReport({ accessionNumber: `A-${engine.name}-4`, status: 'cancelled' }));
      await processAll();
      const q = await store.get(id);
      assert.equal(q?.status, 'quarantined');
      assert.equal(q?.issues[0]?.code, 'CDA_TEST_RULE');
      assert.equal(q?.lastErrorCode, 'DOCUMENT_NONCONFORMANT');
      const plan = await replay({ transmissions: store, outbox }, [id], { dryRun: true, actor: 'user:x' });
      assert.equal(plan[0]?.to, 'received');
      assert.equal(await status(id), 'quarantined', 'a dry run changes nothing');
      await replay({ transmissions: store, outbox }, [id], { dryRun: false, actor: 'user:x' });
      assert.equal(await status(id), 'received');
    });

    it('with build and gate in one step (the document worker), a failing document is quarantined and a good one ready, as in two steps', async () => {
      const calls: string[] = [];
      p = c.p = {
        ...p,
        build: () => Promise.reject(new Error('buildChecked is used instead')),
        validator: { validate: () => Promise.reject(new Error('buildChecked is used instead')) },
        buildChecked: (r, v) => {
          calls.push(r.status);
          const built = { xml: `<ClinicalDocument><id root="${v.documentId}"/><status>${r.status}</status></ClinicalDocument>`, issues: [{ severity: 'warning' as const, code: 'CDA_TEST_WARNING', path: '/ClinicalDocument', message: 'test warning' }] };
          return Promise.resolve({ built, issues: r.status === 'cancelled' ? [{ severity: 'error' as const, code: 'CDA_TEST_RULE', path: '/ClinicalDocument/status', message: 'test rule' }] : [] });
        },
      };
      const bad = await submit(sampleReport({ accessionNumber: `A-${engine.name}-4b`, status: 'cancelled' }));
      const good = await submit(sampleReport({ accessionNumber: `A-${engine.name}-4c` }));
      await processAll();
      const q = await store.get(bad);
      assert.equal(q?.status, 'quarantined');
      assert.deepEqual(q?.issues.map((i) => i.code), ['CDA_TEST_WARNING', 'CDA_TEST_RULE']);
      const r = await store.get(good);
      assert.equal(r?.status, 'ready');
      assert.deepEqual(r?.issues.map((i) => i.code), ['CDA_TEST_WARNING']);
      assert.match((await outbox.documentOf(good))?.xml ?? '', /<status>final<\/status>/);
      assert.ok(calls.includes('cancelled') && calls.includes('final'), 'both went through the one-step build');
    });

    it('versions: partial → final → corrected share the setId, count up and replace the previous one', async () => {
      const acc = `A-${engine.name}-5`;
      const ids = [];
      for (const status of ['partial', 'final', 'corrected'] as const) {
        ids.push(await submit(sampleReport({ accessionNumber: acc, status })));
        await processAll();
        await deliverAll();
      }
      const docs = await Promise.all(ids.map((x) => outbox.documentOf(x)));
      assert.deepEqual(docs.map((x) => x?.versionNumber), [1, 2, 3]);
      assert.equal(new Set(docs.map((x) => x?.setId)).size, 1);
      assert.equal(docs[1]?.replacesUniqueId, docs[0]?.uniqueId);
      assert.equal(docs[2]?.replacesUniqueId, docs[1]?.uniqueId);
      assert.equal(dmp.entries.get(docs[0]?.uniqueId ?? '')?.status, 'deprecated');
      assert.equal(dmp.entries.get(docs[2]?.uniqueId ?? '')?.status, 'approved');
    });

    it('a new version is not sent before the version it replaces has reached the DMP', async () => {
      const acc = `A-${engine.name}-order`;
      const v1 = await submit(sampleReport({ accessionNumber: acc, status: 'partial' }));
      await processAll();
      const v2 = await submit(sampleReport({ accessionNumber: acc, status: 'final' }));
      await processAll();
      assert.equal(await status(v2), 'ready');
      dmp.script.push('busy');
      await deliverAll();
      assert.equal(await status(v1), 'retry_wait');
      assert.equal(await status(v2), 'ready', 'v2 waits while v1 is not delivered');
      assert.deepEqual(dmp.submissions.map((x) => x.versionNumber), [1]);
      clock.advance(60000);
      await deliverAll();
      await deliverAll();
      assert.equal(await status(v1), 'delivered');
      assert.equal(await status(v2), 'delivered');
      assert.deepEqual(dmp.submissions.map((x) => x.versionNumber), [1, 1, 2]);
    });

    it('transient failures back off and retry, then deliver; too many become failed (dead letter) and replay sends the same document', async () => {
      const id = await submit(sampleReport({ accessionNumber: `A-${engine.name}-6` }));
      await processAll();
      dmp.script.push('busy', 'busy');
      await deliverAll();
      const w = await store.get(id);
      assert.equal(w?.status, 'retry_wait');
      assert.equal(w?.attempts, 1);
      await deliverAll();
      assert.equal(await status(id), 'retry_wait', 'not due yet: nothing sent');
      assert.equal(dmp.submissions.length, 1);
      clock.advance(60000);
      await deliverAll();
      assert.equal((await store.get(id))?.attempts, 2);
      clock.advance(60000);
      await deliverAll();
      assert.equal(await status(id), 'delivered');

      const id2 = await submit(sampleReport({ accessionNumber: `A-${engine.name}-7` }));
      await processAll();
      dmp.script.push('busy', 'busy', 'busy', 'busy');
      for (let i = 0; i < 6; i++) {
        await deliverAll();
        clock.advance(120000);
      }
      const f = await store.get(id2);
      assert.equal(f?.status, 'failed');
      assert.equal(f?.lastErrorCode, 'DMP_BUSY');
      assert.match(f?.lastError ?? '', /gave up after 4 attempts/);
      const uid = f?.documentUniqueId;
      await replay({ transmissions: store, outbox }, [id2], { dryRun: false, actor: 'user:admin' });
      await deliverAll();
      assert.equal(await status(id2), 'delivered');
      assert.equal(dmp.submissions.at(-1)?.documentUniqueId, uid, 'same uniqueId');
    });

    it('a permanent rejection fails at once with the DMP answer kept verbatim', async () => {
      const id = await submit(sampleReport({ accessionNumber: `A-${engine.name}-8` }));
      await processAll();
      dmp.script.push('reject');
      await deliverAll();
      const f = await store.get(id);
      assert.equal(f?.status, 'failed');
      assert.equal(f?.dmpAnswer, '<RegistryResponse status="Failure"/>');
    });

    it('no answer → uncertain → registry query: found → delivered without resending', async () => {
      const id = await submit(sampleReport({ accessionNumber: `A-${engine.name}-9` }));
      await processAll();
      dmp.script.push('timeout_after_store');
      await deliverAll();
      assert.equal(await status(id), 'uncertain');
      clock.advance(5000);
      await deliverAll();
      assert.equal(await status(id), 'delivered');
      assert.equal(dmp.submissions.length, 1, 'never sent twice');
      assert.equal(dmp.lookups, 1);
    });

    it('no answer → uncertain → registry query: not found → resent with the same uniqueId', async () => {
      const id = await submit(sampleReport({ accessionNumber: `A-${engine.name}-10` }));
      await processAll();
      dmp.script.push('throw');
      await deliverAll();
      assert.equal(await status(id), 'uncertain');
      clock.advance(5000);
      await deliverAll();
      assert.equal(await status(id), 'delivered');
      assert.equal(dmp.submissions.length, 2);
      assert.equal(dmp.submissions[0]?.documentUniqueId, dmp.submissions[1]?.documentUniqueId);
    });

    it('a send whose instance died (lease expired in sending) is swept to uncertain and reconciled', async () => {
      const id = await submit(sampleReport({ accessionNumber: `A-${engine.name}-11` }));
      await processAll();
      await store.transition(id, ['ready'], 'sending', { leaseOwner: 'dead', leaseUntil: new Date(clock.now().getTime() + 1000).toISOString(), attempts: 1 }, { type: 'delivery.attempt', actor: 'system:dead', outcome: 'info' });
      assert.equal(await sweepExpired(d), 0, 'lease still valid');
      clock.advance(2000);
      assert.equal(await sweepExpired(d), 1);
      assert.equal(await status(id), 'uncertain');
      await deliverAll();
      assert.equal(await status(id), 'delivered');
    });

    it('a claimed batch is recorded as sending in one go, each with its attempt audited once; if that fails, each send records its own', async () => {
      const ids = [];
      for (let i = 0; i < 3; i++) {
        ids.push(await submit(sampleReport({ accessionNumber: `A-${engine.name}-S${i}` })));
      }
      await processAll();
      const claimed = await outbox.claim('test-instance', clock.now(), new Date(clock.now().getTime() + 30000), 10);
      assert.equal(claimed.length, 3);
      const errors: unknown[] = [];
      const batch = await recordSending(d, claimed, (e: unknown) => {
        errors.push(e);
      });
      assert.equal(errors.length, 0);
      assert.deepEqual(batch.map((x) => [x.status, x.attempts]), [['sending', 1], ['sending', 1], ['sending', 1]]);
      for (const x of ids) {
        assert.equal(await status(x), 'sending', 'recorded before any byte leaves');
      }
      for (const x of batch) {
        assert.equal(await deliverOne(d, x), 'delivered');
      }
      for (const x of ids) {
        const audit = await t.db.query<{ type: string; details: string }>('SELECT type, details FROM audit_events WHERE transmission_id = ? ORDER BY seq', [x]);
        assert.deepEqual(audit.map((r) => r.type), ['report.received', 'identity.decision', 'document.built', 'delivery.attempt', 'delivery.outcome']);
        assert.equal((JSON.parse(audit[3]!.details) as { attempt: number }).attempt, 1);
        assert.equal((await store.get(x))?.attempts, 1);
      }
      // One of the batch changed state after the claim: the batch transaction fails and records nothing; each send
      // then records its own attempt.
      const again = [await submit(sampleReport({ accessionNumber: `A-${engine.name}-S3` })), await submit(sampleReport({ accessionNumber: `A-${engine.name}-S4` }))];
      await processAll();
      const second = await outbox.claim('test-instance', clock.now(), new Date(clock.now().getTime() + 30000), 10);
      await t.db.execute("UPDATE transmissions SET status = 'quarantined' WHERE id = ?", [again[1]!]);
      const fallback = await recordSending(d, second, (e: unknown) => {
        errors.push(e);
      });
      assert.equal(errors.length, 1);
      assert.deepEqual(fallback.map((x) => x.status), ['ready', 'ready']);
      assert.equal(await status(again[0]!), 'ready', 'rolled back with the batch');
      assert.equal(await deliverOne(d, fallback[0]!), 'delivered');
      const audit = await t.db.query<{ type: string }>('SELECT type FROM audit_events WHERE transmission_id = ? ORDER BY seq', [again[0]!]);
      assert.deepEqual(audit.map((r) => r.type), ['report.received', 'identity.decision', 'document.built', 'delivery.attempt', 'delivery.outcome']);
    });
  });
}
