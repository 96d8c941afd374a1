/**
 * The outbox runner: two loops per gateway instance.
 * - processing: claims `received` transmissions and runs them through the gates (process.ts);
 * - delivery: sweeps sends left without answer, claims due transmissions and delivers them (deliver.ts),
 *   at most `concurrency` at once (the route itself is rate-limited: rate-limited-route.ts), behind a circuit breaker
 *   that stops sending while the DMP keeps failing (the queue grows; the DMP is not hammered).
 * Stopping waits for the sends in flight.
 */
import { breakerAllows, breakerRecord, initialBreaker, type BreakerPolicy, type BreakerState } from '../../core/policy/retry.js';
import type { Logger } from '../../logging/logger.js';
import { deliverOne, sweepExpired, type DeliverDeps, type DeliveryResult } from './deliver.js';
import { processReceived, type ProcessDeps } from './process.js';

export interface RunnerOptions {
  readonly pollMs: number;
  readonly concurrency: number;
  readonly breaker: BreakerPolicy;
  readonly batch: number;
}

export interface OutboxRunner {
  start(): void;
  stop(): Promise<void>;
  /** Runs both loops once until nothing is due (tests, `replay`). */
  drain(): Promise<void>;
  breaker(): BreakerState;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());
/**
 * Lets pending I/O (HTTP intake, MLLP, TLS) run. With SQLite every storage call resolves as a microtask, so
 * without this a batch of documents would hold the event loop from its first item to its last.
 */
const yieldToIo = (): Promise<void> => new Promise((r) => setImmediate(r));

export function createOutboxRunner(p: ProcessDeps, d: DeliverDeps, options: RunnerOptions, logger: Logger): OutboxRunner {
  let running = false;
  let loops: Promise<void>[] = [];
  // Resolved by stop(): the loops' sleeps end at once instead of waiting out their interval (a third of the lease).
  let stopping: { promise: Promise<void>; resolve: () => void } | undefined;
  const pause = (ms: number): Promise<void> => (stopping ? Promise.race([sleep(ms), stopping.promise]) : sleep(ms));
  let breaker: BreakerState = initialBreaker;
  const inFlight = new Set<Promise<unknown>>();
  const inFlightIds = new Set<string>();
  const processOnce = async (): Promise<number> => {
    const now = p.clock.now();
    const claimed = await p.outbox.claimReceived(d.owner, now, new Date(now.getTime() + d.leaseMs), options.batch);
    for (const t of claimed) {
      await yieldToIo();
      try {
        await processReceived(p, t);
      } catch (e) {
        logger.error({ err: e, transmissionId: t.id }, 'processing failed; will retry after the lease');
      }
    }
    return claimed.length;
  };

  const record = (r: DeliveryResult): void => {
    const kind = r === 'delivered' || r === 'reconciled' ? 'success' : r === 'permanent_failure' ? 'permanent_failure' : r === 'transient_failure' ? 'transient_failure' : undefined;
    if (kind) {
      const before = breaker.state;
      breaker = breakerRecord(options.breaker, breaker, kind, Date.now());
      if (before !== breaker.state) {
        logger.warn({ breaker: breaker.state, consecutiveFailures: breaker.consecutiveFailures }, 'DMP circuit breaker changed state');
      }
    }
  };

  const deliverOnce = async (): Promise<number> => {
    await yieldToIo();
    await sweepExpired(d, inFlightIds);
    const free = options.concurrency - inFlight.size;
    if (free <= 0) {
      return 0;
    }
    const gate = breakerAllows(options.breaker, breaker, Date.now());
    breaker = gate.next;
    if (!gate.allowed) {
      return 0;
    }
    // Half-open: one trial send only.
    const want = breaker.state === 'half_open' ? Math.min(1, free) : Math.min(free, options.batch);
    const now = d.clock.now();
    const claimed = await d.outbox.claim(d.owner, now, new Date(now.getTime() + d.leaseMs), want);
    for (const t of claimed) {
      inFlightIds.add(t.id);
      const job = deliverOne(d, t)
        .then(record)
        .catch((e: unknown) => logger.error({ err: e, transmissionId: t.id }, 'delivery step failed; the lease will expire and the send be reconciled'))
        .finally(() => {
          inFlight.delete(job);
          inFlightIds.delete(t.id);
        });
      inFlight.add(job);
    }
    return claimed.length;
  };

  const loop = async (step: () => Promise<number>, name: string): Promise<void> => {
    while (running) {
      let n = 0;
      try {
        n = await step();
      } catch (e) {
        logger.error({ err: e, loop: name }, 'outbox loop error');
      }
      if (n === 0) {
        await pause(options.pollMs);
      }
    }
  };

  // Sends in flight keep their lease: renewed every third of it, so no instance takes a slow send for a dead one.
  const renewLeases = async (): Promise<number> => {
    if (inFlightIds.size > 0) {
      await d.outbox.renewLeases(d.owner, [...inFlightIds], new Date(d.clock.now().getTime() + d.leaseMs));
    }
    await pause(Math.max(50, Math.floor(d.leaseMs / 3)));
    return 1;
  };

  return {
    start() {
      if (running) {
        return;
      }
      running = true;
      let resolve = (): void => undefined;
      const promise = new Promise<void>((r) => (resolve = r));
      stopping = { promise, resolve };
      loops = [loop(processOnce, 'process'), loop(deliverOnce, 'deliver'), loop(renewLeases, 'leases')];
    },
    async stop() {
      running = false;
      stopping?.resolve();
      await Promise.all(loops);
      await Promise.allSettled([...inFlight]);
    },
    async drain() {
      for (let i = 0; i < 10000; i++) {
        const a = await processOnce();
        const b = await deliverOnce();
        await Promise.allSettled([...inFlight]);
        if (a === 0 && b === 0 && inFlight.size === 0) {
          return;
        }
      }
    },
    breaker: () => breaker,
  };
}
