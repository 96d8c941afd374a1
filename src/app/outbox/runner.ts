/**
 * The outbox runner: two loops per gateway instance.
 * - processing: claims `received` transmissions and runs them through the gates (process.ts);
 * - delivery: sweeps sends left without answer, claims due transmissions and delivers them (deliver.ts),
 *   at most `concurrency` at once (the route itself is rate-limited: rate-limited-route.ts), behind a circuit breaker
 *   that stops sending while the DMP keeps failing (the queue grows; the DMP is not hammered).
 * Idle loops look for work every `pollMs`; `wake` starts one at once (work arrived in this process: a report
 * stored, a document ready), so that a report does not wait out a poll interval at each step. Other instances
 * sharing the database still find it by polling.
 * Stopping waits for the sends in flight.
 */
import { breakerAllows, breakerRecord, initialBreaker, type BreakerPolicy, type BreakerState } from '../../core/policy/retry.js';
import type { Logger } from '../../logging/logger.js';
import { deliverOne, recordSending, sweepExpired, type DeliverDeps, type DeliveryResult } from './deliver.js';
import { processReceived, type ProcessDeps } from './process.js';
import type { Transmission } from '../../adapters/storage/transmissions.js';

export interface RunnerOptions {
  readonly pollMs: number;
  readonly concurrency: number;
  readonly breaker: BreakerPolicy;
  readonly batch: number;
  /**
   * Claimed reports processed at once (default 1). A claimed batch never holds two reports of one accession
   * (claimReceived), so their versions still follow each other. With the document worker, two or more keep it fed:
   * the next build is queued while the main thread stores the previous one.
   */
  readonly processConcurrency?: number;
}

export interface OutboxRunner {
  start(): void;
  stop(): Promise<void>;
  /** Runs both loops once until nothing is due (tests, `replay`). */
  drain(): Promise<void>;
  breaker(): BreakerState;
  /** Work for a loop arrived in this process: it looks for it now instead of at its next poll. */
  wake(loop: 'process' | 'deliver'): void;
}

/**
 * A wake-up that is not lost when it comes while its loop is busy: the loop's next pause then ends at once.
 * One waiter at a time (its loop's pause).
 */
class Wake {
  private pending = false;
  private waiter: (() => void) | undefined;
  signal(): void {
    this.pending = true;
    this.waiter?.();
  }
  /** Forgets a signal kept while the loop was busy: the step about to look for work will see what it was for. */
  clear(): void {
    this.pending = false;
  }
  /** Calls `fn` at the next signal, at once if one came since the last; consumes it. Returns the cancel. */
  onSignal(fn: () => void): () => void {
    if (this.pending) {
      this.pending = false;
      fn();
      return () => undefined;
    }
    const waiter = (): void => {
      this.pending = false;
      this.waiter = undefined;
      fn();
    };
    this.waiter = waiter;
    return () => {
      if (this.waiter === waiter) {
        this.waiter = undefined;
      }
    };
  }
}

/**
 * Lets pending I/O (HTTP intake, MLLP, TLS) run. With SQLite every storage call resolves as a microtask, so
 * without this a batch of documents would hold the event loop from its first item to its last.
 */
const yieldToIo = (): Promise<void> => new Promise((r) => setImmediate(r));
/** How often the delivery loop looks for sends whose instance died (expired leases). */
const SWEEP_EVERY_MS = 1000;

export function createOutboxRunner(p: ProcessDeps, d: DeliverDeps, options: RunnerOptions, logger: Logger): OutboxRunner {
  let running = false;
  let loops: Promise<void>[] = [];
  // Pauses in progress: stop() ends them at once instead of waiting out their interval (a third of the lease).
  const pauses = new Set<() => void>();
  const wakes = { process: new Wake(), deliver: new Wake() };
  /** Waits `ms`, or less when `wake` is signalled or the runner stops; leaves no timer or listener behind. */
  const pause = (ms: number, wake?: Wake): Promise<void> =>
    new Promise<void>((resolve) => {
      if (!running) {
        resolve();
        return;
      }
      let cancelWake = (): void => undefined;
      const end = (): void => {
        clearTimeout(timer);
        pauses.delete(end);
        cancelWake();
        resolve();
      };
      const timer = setTimeout(end, ms);
      timer.unref();
      pauses.add(end);
      if (wake) {
        cancelWake = wake.onSignal(end);
      }
    });
  /** An idle loop's pause: the poll interval, or less when woken. */
  const idle = (loop: 'process' | 'deliver'): Promise<void> => pause(options.pollMs, wakes[loop]);
  let breaker: BreakerState = initialBreaker;
  const inFlight = new Set<Promise<unknown>>();
  let lastSweep = Number.NEGATIVE_INFINITY;
  const inFlightIds = new Set<string>();
  /**
   * Whether a loop's last step took as much as it asked for (more may be due: it looks again at once) or less (it
   * took all that was due: it pauses until woken or its poll). Without this, every step that found work was
   * followed by one that found none: a transaction (on PostgreSQL, several round trips) per report for nothing.
   */
  const moreDue = { process: false, deliver: false };
  const processOnce = async (): Promise<number> => {
    // Signals until now are for reports already stored: this claim sees them. Later ones are kept.
    wakes.process.clear();
    const now = p.clock.now();
    const claimed = await p.outbox.claimReceived(d.owner, now, new Date(now.getTime() + d.leaseMs), options.batch);
    moreDue.process = claimed.length >= options.batch;
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < claimed.length) {
        const t = claimed[next++] as Transmission;
        await yieldToIo();
        try {
          if ((await processReceived(p, t)) === 'ready') {
            wakes.deliver.signal();
          }
        } catch (e) {
          logger.error({ err: e, transmissionId: t.id }, 'processing failed; will retry after the lease');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(claimed.length, Math.max(1, options.processConcurrency ?? 1)) }, lane));
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
    // Leases run for seconds: looking for expired ones once a second is enough, not at every wake-up.
    const at = d.clock.now().getTime();
    if (at - lastSweep >= SWEEP_EVERY_MS || at < lastSweep) {
      lastSweep = at;
      await sweepExpired(d, inFlightIds);
    }
    // Signals until now (documents made ready, places freed) are for what this claim sees; later ones are kept.
    wakes.deliver.clear();
    moreDue.deliver = false;
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
    const claimed = await recordSending(d, await d.outbox.claim(d.owner, now, new Date(now.getTime() + d.leaseMs), want), (e) =>
      logger.warn({ err: e }, 'recording the batch as sending failed; each send records its own'),
    );
    moreDue.deliver = claimed.length >= want;
    for (const t of claimed) {
      inFlightIds.add(t.id);
      const job = deliverOne(d, t)
        .then(record)
        .catch((e: unknown) => logger.error({ err: e, transmissionId: t.id }, 'delivery step failed; the lease will expire and the send be reconciled'))
        .finally(() => {
          // A place is free: if the loop had none left, it stopped looking and more may be due.
          const wasFull = inFlight.size >= options.concurrency;
          inFlight.delete(job);
          inFlightIds.delete(t.id);
          if (wasFull) {
            wakes.deliver.signal();
          }
        });
      inFlight.add(job);
    }
    return claimed.length;
  };

  const loop = async (step: () => Promise<number>, name: 'process' | 'deliver'): Promise<void> => {
    while (running) {
      let n = 0;
      try {
        n = await step();
      } catch (e) {
        logger.error({ err: e, loop: name }, 'outbox loop error');
      }
      if (n === 0 || !moreDue[name]) {
        await idle(name);
      }
    }
  };

  // Sends in flight keep their lease: renewed every third of it, so no instance takes a slow send for a dead one.
  const renewLeases = async (): Promise<void> => {
    while (running) {
      try {
        if (inFlightIds.size > 0) {
          await d.outbox.renewLeases(d.owner, [...inFlightIds], new Date(d.clock.now().getTime() + d.leaseMs));
        }
      } catch (e) {
        logger.error({ err: e, loop: 'leases' }, 'outbox loop error');
      }
      await pause(Math.max(50, Math.floor(d.leaseMs / 3)));
    }
  };

  return {
    start() {
      if (running) {
        return;
      }
      running = true;
      loops = [loop(processOnce, 'process'), loop(deliverOnce, 'deliver'), renewLeases()];
    },
    async stop() {
      running = false;
      for (const end of [...pauses]) {
        end();
      }
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
    wake: (loop) => wakes[loop].signal(),
  };
}
