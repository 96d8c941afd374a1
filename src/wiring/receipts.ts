/**
 * Composition of the SIL's DMP receipts (ZAM^Z01, issue 3): the settlement hook that queues them with the delivery
 * outcome (always, so none is lost), and — when `sil.receipts.host`/`port` are set and this instance runs the outbox
 * workers — the worker that sends them over MLLP.
 */
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import type { Db } from '../adapters/storage/db.js';
import { SilReceiptStore } from '../adapters/storage/receipts.js';
import { sendMllp } from '../adapters/mllp/client.js';
import { queueDmpReceipt } from '../app/receipts/queue.js';
import { createReceiptWorker, type ReceiptWorker } from '../app/receipts/worker.js';
import type { SettlementHook } from '../app/outbox/deliver.js';
import type { Clock, Ids } from '../app/ports.js';

export interface ReceiptWiringDeps {
  readonly config: Config;
  readonly db: Db;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly logger: Logger;
  /** This instance's name in leases. */
  readonly instance: string;
}

export interface ReceiptWiring {
  /** The receipts in storage (also for housekeeping's retention). */
  readonly store: SilReceiptStore;
  /** For DeliverDeps.onSettled. */
  readonly onSettled: SettlementHook;
  /** Present when receipts are sent from this instance. */
  readonly worker?: ReceiptWorker;
  /** Starts the worker, or says at start how many receipts wait for an address. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function wireReceipts(deps: ReceiptWiringDeps): ReceiptWiring {
  const { config, logger } = deps;
  const receipts = new SilReceiptStore(deps.db);
  const onSettled = queueDmpReceipt({ db: deps.db, receipts, clock: deps.clock, ids: deps.ids });
  const { host, port, timeoutMs, maxAttempts } = config.sil.receipts;
  const o = config.outbox;
  const log = logger.child({ component: 'receipts' });
  const worker =
    host !== undefined && port !== undefined && o.enabled
      ? createReceiptWorker(
          {
            db: deps.db,
            receipts,
            clock: deps.clock,
            ids: deps.ids,
            send: (payload) => sendMllp({ host, port, payload, timeoutMs }),
            // Only the number of attempts ends it: receipts queued before an address was set are still owed.
            retry: { baseMs: o.retryBaseMs, maxDelayMs: o.retryMaxMs, maxAttempts, maxAgeMs: Number.POSITIVE_INFINITY },
            // One connection, one send and one answer, each bounded by the timeout; then some slack.
            leaseMs: 2 * timeoutMs + 5000,
            random: Math.random,
            owner: deps.instance,
            logger: log,
          },
          { pollMs: o.pollMs },
        )
      : undefined;
  return {
    store: receipts,
    onSettled,
    ...(worker ? { worker } : {}),
    async start() {
      if (worker) {
        worker.start();
        log.info({ host, port }, 'DMP receipts to the SIL: sending over MLLP');
        return;
      }
      const pending = await receipts.countPending();
      if (host === undefined || port === undefined) {
        // Counts only: which reports they concern stays in the database.
        log[pending > 0 ? 'warn' : 'info']({ pending }, 'DMP receipts to the SIL are not sent: sil.receipts.host and sil.receipts.port are not set (they are kept until then)');
      } else if (pending > 0) {
        log.info({ pending }, 'DMP receipts to the SIL are sent by the instances that run the outbox workers');
      }
    },
    async stop() {
      await worker?.stop();
    },
  };
}
