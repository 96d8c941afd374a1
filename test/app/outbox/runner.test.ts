/**
 * The outbox runner over real storage (SQLite and PostgreSQL), with an in-memory DMP: its circuit breaker, its
 * wake-ups, how many reports it processes at once, how often it claims, and two runners sharing one database.
 */
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OutboxStore } from '../../../src/adapters/storage/outbox.js';
import type { ProcessDeps } from '../../../src/app/outbox/process.js';
import type { DeliverDeps } from '../../../src/app/outbox/deliver.js';
import { createOutboxRunner } from '../../../src/app/outbox/runner.js';
import { createLogger } from '../../../src/logging/logger.js';
import { ENGINES, type TestDb } from '../../helpers/db.js';
import type { FixedClock } from '../../helpers/clock.js';
import type { FakeDmp } from '../../helpers/fake-route.js';
import { sampleReport } from '../../helpers/reports.js';
import { LogSink } from '../../helpers/log-sink.js';
import { outboxContext } from './setup.js';

for (const engine of ENGINES) {
  describe(`outbox runner (${engine.name})`, () => {
    const c = outboxContext(engine);
    // The context's parts as each test starts; a test that replaces p or d for the helpers sets it on c too.
    let t: TestDb;
    let clock: FixedClock;
    let outbox: OutboxStore;
    let dmp: FakeDmp;
    let p: ProcessDeps;
    let d: DeliverDeps;
    beforeEach(() => ({ t, clock, outbox, dmp, p, d } = c));
    const { submit, status } = c;

    it('the runner opens its circuit breaker while the DMP keeps failing and drains after recovery', async () => {
      const ids = [];
      for (let i = 0; i < 6; i++) {
        ids.push(await submit(sampleReport({ accessionNumber: `A-${engine.name}-B${i}` })));
      }
      dmp.script.push(...Array.from({ length: 50 }, () => 'busy' as const));
      const sink = new LogSink();
      const runner = createOutboxRunner(p, { ...d, retry: { ...d.retry, baseMs: 10, maxDelayMs: 20, maxAttempts: 1000 } }, { pollMs: 5, concurrency: 2, batch: 10, breaker: { threshold: 3, cooldownMs: 60000 } }, createLogger({ level: 'warn', destination: sink }));
      await runner.drain();
      assert.equal(runner.breaker().state, 'open');
      const sentWhileFailing = dmp.submissions.length;
      assert.ok(sentWhileFailing <= 4, `the breaker stopped the sends (${sentWhileFailing})`);
      for (const x of ids) {
        assert.notEqual(await status(x), 'failed', 'an outage fails nothing permanently');
      }
      dmp.script.length = 0;
      const healed = createOutboxRunner(p, { ...d, retry: { ...d.retry, baseMs: 10, maxDelayMs: 20 } }, { pollMs: 5, concurrency: 2, batch: 10, breaker: { threshold: 3, cooldownMs: 0 } }, createLogger({ level: 'warn', destination: sink }));
      clock.advance(60000);
      await healed.drain();
      for (const x of ids) {
        assert.equal(await status(x), 'delivered');
      }
      assert.match(sink.text, /circuit breaker changed state/);
    });

    it('a started runner takes a report when woken, not at its next poll, and stops without waiting out its pauses', async () => {
      // A poll interval longer than the test's timeout: only the wake-ups can move the report.
      const runner = createOutboxRunner(p, d, { pollMs: 3_600_000, concurrency: 2, batch: 4, breaker: { threshold: 100, cooldownMs: 10 } }, createLogger({ level: 'silent' }));
      runner.start();
      try {
        // Both loops have looked once, found nothing, and are pausing.
        await new Promise((r) => setTimeout(r, 200));
        const id = await submit(sampleReport({ accessionNumber: `A-${engine.name}-W1` }));
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(await status(id), 'received', 'not taken before the wake-up');
        // The intake's wake-up; the processing loop then wakes the delivery loop itself.
        runner.wake('process');
        for (let i = 0; i < 200 && (await status(id)) !== 'delivered'; i++) {
          await new Promise((r) => setTimeout(r, 25));
        }
        assert.equal(await status(id), 'delivered');
        // A wake-up that comes while the loop is busy is kept for its next pause.
        const second = await submit(sampleReport({ accessionNumber: `A-${engine.name}-W2` }));
        runner.wake('process');
        runner.wake('process');
        for (let i = 0; i < 200 && (await status(second)) !== 'delivered'; i++) {
          await new Promise((r) => setTimeout(r, 25));
        }
        assert.equal(await status(second), 'delivered');
      } finally {
        await runner.stop();
      }
    });

    it('processes up to processConcurrency claimed reports at once, and still one version of a report after the other', async () => {
      const build = p.build;
      for (const concurrency of [3, undefined]) {
        // Each build waits (at most 300 ms) until three are under way: how many run together is what the runner allows.
        let active = 0;
        let most = 0;
        const waiting: (() => void)[] = [];
        const order: string[] = [];
        p = {
          ...p,
          build: async (r, v) => {
            active++;
            most = Math.max(most, active);
            if (active >= 3) {
              waiting.splice(0).forEach((w) => w());
            } else {
              await Promise.race([new Promise<void>((w) => waiting.push(w)), new Promise((w) => setTimeout(w, 300))]);
            }
            active--;
            order.push(`${r.accessionNumber}#${v.versionNumber}`);
            return build(r, v);
          },
        };
        const acc = `A-${engine.name}-PC${concurrency ?? 1}`;
        const v1 = await submit(sampleReport({ accessionNumber: acc, status: 'partial' }));
        const v2 = await submit(sampleReport({ accessionNumber: acc, status: 'final' }));
        const others = [];
        for (let i = 0; i < 3; i++) {
          others.push(await submit(sampleReport({ accessionNumber: `${acc}-${i}` })));
        }
        const runner = createOutboxRunner(p, d, { pollMs: 5, concurrency: 4, batch: 10, ...(concurrency ? { processConcurrency: concurrency } : {}), breaker: { threshold: 100, cooldownMs: 10 } }, createLogger({ level: 'silent' }));
        await runner.drain();
        assert.equal(most, concurrency ?? 1, `at most ${concurrency ?? 1} at once`);
        for (const id of [v1, v2, ...others]) {
          assert.equal(await status(id), 'delivered');
        }
        assert.ok(order.indexOf(`${acc}#1`) < order.indexOf(`${acc}#2`), `version 1 built before version 2: ${order.join(', ')}`);
        assert.equal((await outbox.documentOf(v2))?.replacesUniqueId, (await outbox.documentOf(v1))?.uniqueId);
      }
    });

    it('a woken runner claims once per loop for one report: no claim that finds nothing after one that found it', async () => {
      const calls = { received: 0, due: 0 };
      const claimReceived = outbox.claimReceived.bind(outbox);
      const claim = outbox.claim.bind(outbox);
      outbox.claimReceived = (...a) => {
        calls.received++;
        return claimReceived(...a);
      };
      outbox.claim = (...a) => {
        calls.due++;
        return claim(...a);
      };
      const runner = createOutboxRunner(p, d, { pollMs: 3_600_000, concurrency: 2, batch: 4, processConcurrency: 3, breaker: { threshold: 100, cooldownMs: 10 } }, createLogger({ level: 'silent' }));
      runner.start();
      try {
        await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual(calls, { received: 1, due: 1 }, 'each loop looked once at start and found nothing');
        for (const k of ['A', 'B']) {
          const id = await submit(sampleReport({ accessionNumber: `A-${engine.name}-C${k}` }));
          runner.wake('process');
          for (let i = 0; i < 200 && (await status(id)) !== 'delivered'; i++) {
            await new Promise((r) => setTimeout(r, 25));
          }
          assert.equal(await status(id), 'delivered');
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.deepEqual(calls, { received: 3, due: 3 }, 'one more claim per loop and report');
      } finally {
        await runner.stop();
      }
    });

    it('two runners on one database deliver each report exactly once', async () => {
      const ids = [];
      for (let i = 0; i < 20; i++) {
        ids.push(await submit(sampleReport({ accessionNumber: `A-${engine.name}-C${i}` })));
      }
      const opts = { pollMs: 5, concurrency: 3, batch: 4, breaker: { threshold: 100, cooldownMs: 10 } };
      const log = createLogger({ level: 'silent' });
      const a = createOutboxRunner(p, { ...d, owner: 'A' }, opts, log);
      const b = createOutboxRunner(p, { ...d, owner: 'B' }, opts, log);
      await Promise.all([a.drain(), b.drain()]);
      for (const x of ids) {
        assert.equal(await status(x), 'delivered');
      }
      const uids = dmp.submissions.map((s) => s.documentUniqueId);
      assert.equal(uids.length, new Set(uids).size, 'no document sent twice');
      assert.equal(uids.length, 20);
      const owners = await t.db.query<{ actor: string }>("SELECT DISTINCT actor FROM audit_events WHERE type = 'delivery.attempt'");
      assert.ok(owners.length >= 1);
    });
  });
}
