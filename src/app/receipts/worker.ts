/**
 * The receipt worker: claims due DMP receipts (sil_receipts), sends each to the SIL over MLLP, and records the
 * outcome with its audit record in one transaction:
 * - AA / CA with MSA-2 = the ZAM's MSH-10 → `sent`;
 * - AE / CE (the SIL says the message is wrong) → `failed` at once (SIL_RECEIPT_REFUSED): resending it unchanged
 *   cannot help;
 * - no connection, no answer, AR / CR, or an answer that does not acknowledge this ZAM → another attempt later
 *   (backoff of src/core/policy/retry.ts), `failed` after `maxAttempts` (audited `receipt.failed`).
 * A resend carries the same MSH-10. Delivery is at least once: an instance that dies after the SIL's answer and
 * before recording it leaves the lease to run out, and the receipt is sent again.
 */
import { isGatewayError } from '../../core/errors/index.js';
import { decideRetry, type RetryPolicy } from '../../core/policy/retry.js';
import type { Logger } from '../../logging/logger.js';
import type { Clock, Ids } from '../ports.js';
import type { Db } from '../../adapters/storage/db.js';
import { appendAudit, type AuditInput } from '../../adapters/storage/audit-store.js';
import type { AttemptRecord, SilReceipt, SilReceiptStore } from '../../adapters/storage/receipts.js';
import { readReceiptAnswer } from '../../adapters/hl7v2/zam.js';

export interface ReceiptWorkerDeps {
  readonly db: Db;
  readonly receipts: SilReceiptStore;
  readonly clock: Clock;
  readonly ids: Ids;
  /** Sends one ZAM to the SIL and resolves with its answer's bytes (MLLP: src/adapters/mllp/client.ts). */
  readonly send: (payload: Buffer) => Promise<Buffer>;
  /** Backoff between attempts; `maxAttempts` gives up. */
  readonly retry: RetryPolicy;
  /** How long a claimed receipt stays with this instance (longer than one send with its timeout). */
  readonly leaseMs: number;
  /** A draw in [0, 1) for the jitter. */
  readonly random: () => number;
  readonly owner: string;
  readonly logger: Logger;
}

export type ReceiptResult = 'sent' | 'retry' | 'failed' | 'lost_lease';

interface Failure {
  readonly code: string;
  readonly message: string;
  readonly permanent: boolean;
}

const actor = 'system:receipts';
const MAX_ANSWER_CHARS = 4000;

/** What the SIL's answer means for this receipt: undefined when it acknowledges it. */
const judgeAnswer = (r: SilReceipt, answer: Buffer): Failure | undefined => {
  const ack = readReceiptAnswer(answer);
  if (!ack) {
    return { code: 'SIL_RECEIPT_ANSWER_INVALID', message: 'The answer is not an HL7 acknowledgement (no MSA).', permanent: false };
  }
  if (ack.controlId !== r.controlId) {
    return { code: 'SIL_RECEIPT_ANSWER_INVALID', message: 'The answer acknowledges another message (MSA-2 is not the receipt\'s MSH-10).', permanent: false };
  }
  switch (ack.code) {
    case 'AA':
    case 'CA':
      return undefined;
    case 'AE':
    case 'CE':
      return { code: 'SIL_RECEIPT_REFUSED', message: `The SIL answered ${ack.code}.`, permanent: true };
    case 'AR':
    case 'CR':
      return { code: 'SIL_RECEIPT_NOT_PROCESSED', message: `The SIL answered ${ack.code}.`, permanent: false };
    default:
      return { code: 'SIL_RECEIPT_ANSWER_INVALID', message: 'MSA-1 is not an acknowledgement code.', permanent: false };
  }
};

/** Sends one claimed receipt and records what happened. */
export async function sendReceipt(deps: ReceiptWorkerDeps, r: SilReceipt): Promise<ReceiptResult> {
  const attempts = r.attempts + 1;
  let answerText: string | undefined;
  let failure: Failure | undefined;
  try {
    const answer = await deps.send(Buffer.from(r.payload, 'utf8'));
    answerText = answer.toString('utf8').slice(0, MAX_ANSWER_CHARS);
    failure = judgeAnswer(r, answer);
  } catch (e) {
    const code = isGatewayError(e) ? e.code : 'MLLP_PEER_UNREACHABLE';
    failure = { code, message: (e as Error).message, permanent: false };
  }
  const now = deps.clock.now();
  const record: AttemptRecord = { attempts, at: now, ...(answerText !== undefined ? { answer: answerText } : {}), ...(failure ? { errorCode: failure.code, error: failure.message } : {}) };
  const base = { receiptId: r.id, controlId: r.controlId, accepted: r.accepted, attempt: attempts };
  const audit = (type: AuditInput['type'], outcome: AuditInput['outcome'], details: Record<string, unknown>): AuditInput => ({
    type,
    actor,
    outcome,
    transmissionId: r.transmissionId,
    ...(r.insHash ? { subjectHash: r.insHash } : {}),
    details: { ...base, ...details },
  });
  const log = { transmissionId: r.transmissionId, receiptId: r.id, attempt: attempts };

  if (!failure) {
    await deps.db.transaction(async (tx) => {
      await deps.receipts.markSent(tx, r.id, record);
      await appendAudit(deps.db, tx, audit('receipt.attempt', 'success', {}), now, deps.ids.uuid());
    });
    deps.logger.info(log, 'DMP receipt acknowledged by the SIL');
    return 'sent';
  }

  const decision = failure.permanent ? { kind: 'dead_letter' as const, reason: failure.code } : decideRetry(deps.retry, { attempts, createdAt: new Date(r.createdAt), now, random: deps.random() });
  const result = await deps.db.transaction(async (tx): Promise<ReceiptResult> => {
    await appendAudit(deps.db, tx, audit('receipt.attempt', 'failure', { code: failure.code, ...(decision.kind === 'retry' ? { retryAt: decision.at.toISOString() } : {}) }), now, deps.ids.uuid());
    if (decision.kind === 'retry') {
      return (await deps.receipts.reschedule(tx, r.id, deps.owner, record, decision.at)) ? 'retry' : 'lost_lease';
    }
    if (!(await deps.receipts.markFailed(tx, r.id, deps.owner, record))) {
      return 'lost_lease';
    }
    await appendAudit(deps.db, tx, audit('receipt.failed', 'failure', { code: failure.code, reason: decision.reason }), now, deps.ids.uuid());
    return 'failed';
  });
  if (result === 'failed') {
    deps.logger.error({ ...log, code: failure.code }, 'DMP receipt given up');
  } else {
    deps.logger.warn({ ...log, code: failure.code, ...(decision.kind === 'retry' ? { retryAt: decision.at.toISOString() } : {}) }, 'DMP receipt not acknowledged; will retry');
  }
  return result;
}

export interface ReceiptWorker {
  start(): void;
  stop(): Promise<void>;
  /** Sends everything due now, then returns (tests). */
  drain(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/**
 * One loop per instance, one receipt at a time (the SIL is one peer; its receipts go in the order they were
 * queued). After a failed send the loop waits `pollMs` before the next one.
 */
export function createReceiptWorker(deps: ReceiptWorkerDeps, options: { readonly pollMs: number }): ReceiptWorker {
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  let wake: (() => void) | undefined;

  /** Sends the next due receipt; undefined when none is due. */
  const step = async (): Promise<ReceiptResult | undefined> => {
    const now = deps.clock.now();
    const [r] = await deps.receipts.claim(deps.owner, now, new Date(now.getTime() + deps.leaseMs), 1);
    return r ? sendReceipt(deps, r) : undefined;
  };

  const pause = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = resolve;
      void sleep(ms).then(resolve);
    }).finally(() => {
      wake = undefined;
    });

  const run = async (): Promise<void> => {
    while (running) {
      let result: ReceiptResult | undefined;
      try {
        result = await step();
      } catch (e) {
        deps.logger.error({ err: e }, 'receipt worker error');
      }
      if (result !== 'sent' && running) {
        await pause(options.pollMs);
      }
    }
  };

  return {
    start() {
      if (running) {
        return;
      }
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
    async drain() {
      for (let i = 0; i < 10000; i++) {
        const result = await step();
        if (result === undefined) {
          return;
        }
      }
    },
  };
}
