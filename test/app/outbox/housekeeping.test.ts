import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TransmissionStore } from '../../../src/adapters/storage/transmissions.js';
import { OutboxStore } from '../../../src/adapters/storage/outbox.js';
import { createMetrics } from '../../../src/adapters/metrics/registry.js';
import { applyRetention, refreshQueueMetrics } from '../../../src/app/outbox/housekeeping.js';
import { createApp } from '../../../src/adapters/http/app.js';
import { replayRoutes } from '../../../src/adapters/http/routes/replay.js';
import { ENGINES, type TestDb } from '../../helpers/db.js';
import { FixedClock } from '../../helpers/clock.js';
import { httpDeps } from '../../helpers/http-deps.js';

for (const engine of ENGINES) {
  describe(`housekeeping and replay route (${engine.name})`, () => {
    let t: TestDb;
    before(async () => {
      t = await engine.open();
    });
    after(() => t.dispose());

    it('retention drops old raw inputs and finished documents, keeps rows, hashes and the audit trail, and audits the purge', async () => {
      const clock = new FixedClock('2026-01-01T00:00:00.000Z');
      const store = new TransmissionStore(t.db, clock, { uuid: () => randomUUID() });
      const outbox = new OutboxStore(t.db);
      const mk = async (k: string, finalState: 'delivered' | 'ready') => {
        await store.receive({ id: `in-${k}`, sender: 's', messageId: k, contentType: 'x', raw: Buffer.from(`raw ${k}`) }, [{ id: `tr-${k}`, reportIndex: 0, accession: `acc-${k}`, insHash: null, reportJson: '{}' }], { actor: 'sil:s' });
        await store.transition(`tr-${k}`, ['received'], 'ready', {}, { type: 'transmission.state', actor: 't', outcome: 'info' });
        await t.db.transaction((tx) => outbox.insertDocument(tx, { uniqueId: `u-${k}`, transmissionId: `tr-${k}`, setId: `s-${k}`, versionNumber: 1, xml: '<x/>', at: clock.now() }));
        if (finalState === 'delivered') {
          await store.transition(`tr-${k}`, ['ready'], 'sending', {}, { type: 'delivery.attempt', actor: 't', outcome: 'info' });
          await store.transition(`tr-${k}`, ['sending'], 'delivered', {}, { type: 'delivery.outcome', actor: 't', outcome: 'success' });
        }
      };
      await mk('old-done', 'delivered');
      await mk('old-waiting', 'ready');
      clock.advance(100 * 24 * 3600 * 1000);
      await mk('new', 'delivered');
      const auditBefore = (await t.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM audit_events'))[0]?.n ?? 0;
      const metrics = createMetrics();
      const purged = await applyRetention({ db: t.db, transmissions: store, outbox, metrics, clock, ids: { uuid: () => randomUUID() }, retentionDays: 90 });
      assert.deepEqual(purged, { inputs: 2, documents: 1 });
      assert.equal((await store.rawOf('in-old-done'))?.length, 0);
      assert.equal((await store.rawOf('in-new'))?.toString(), 'raw new');
      assert.equal((await outbox.documentOf('tr-old-done'))?.xml, '', 'finished document body dropped');
      assert.equal((await outbox.documentOf('tr-old-waiting'))?.xml, '<x/>', 'a document still to send is kept');
      assert.ok((await outbox.documentOf('tr-old-done'))?.sha1, 'its hash stays');
      const auditAfter = (await t.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM audit_events'))[0]?.n ?? 0;
      assert.equal(Number(auditAfter), Number(auditBefore) + 1, 'nothing pruned from the audit trail; the purge is recorded');

      await refreshQueueMetrics({ db: t.db, transmissions: store, outbox, metrics, clock, ids: { uuid: () => randomUUID() }, retentionDays: 90, receipts: { countPending: () => Promise.resolve(3) } });
      const text = await metrics.registry.metrics();
      assert.match(text, /dmp_gateway_sil_receipts_pending 3/);
      assert.match(text, /dmp_gateway_transmissions\{state="delivered"\} 2/);
      assert.match(text, /dmp_gateway_transmissions\{state="ready"\} 1/);
      assert.match(text, /dmp_gateway_oldest_ready_age_seconds 8640000/);
    });

    it('POST /v1/transmissions/{id}/replay: dry run, then replay; refused for the wrong state or role', async () => {
      const h = httpDeps(t.db);
      const app = createApp(h.deps, [replayRoutes]);
      const admin = (await h.deps.tokens.create('admin', 'a', 'tok-admin', h.clock.now())).token;
      const sil = (await h.deps.tokens.create('sil', 's', 'tok-sil', h.clock.now())).token;
      const store = h.deps.transmissions;
      await store.receive({ id: 'in-r', sender: 's', messageId: 'r', contentType: 'x', raw: Buffer.from('r') }, [{ id: 'tr-r', reportIndex: 0, accession: 'acc-r', insHash: null, reportJson: '{}' }], { actor: 'sil:s' });
      await store.transition('tr-r', ['received'], 'quarantined', {}, { type: 'document.quarantined', actor: 't', outcome: 'failure' });
      await request(app.callback()).post('/v1/transmissions/tr-r/replay').set('Authorization', `Bearer ${sil}`).expect(403);
      const dry = await request(app.callback()).post('/v1/transmissions/tr-r/replay?dryRun=true').set('Authorization', `Bearer ${admin}`).expect(200);
      assert.equal(dry.body.plans[0].to, 'received');
      assert.equal((await store.get('tr-r'))?.status, 'quarantined');
      await request(app.callback()).post('/v1/transmissions/tr-r/replay').set('Authorization', `Bearer ${admin}`).expect(202);
      assert.equal((await store.get('tr-r'))?.status, 'received');
      const again = await request(app.callback()).post('/v1/transmissions/tr-r/replay').set('Authorization', `Bearer ${admin}`).expect(409);
      assert.equal(again.body.code, 'REPLAY_NOT_ALLOWED');
      await request(app.callback()).post('/v1/transmissions/nope/replay').set('Authorization', `Bearer ${admin}`).expect(404);
    });
  });
}
