/**
 * Delivery of one claimed transmission: reconcile first when the last send had no answer, then send, then
 * record the outcome (delivered / retry_wait / failed / uncertain) with its audit record in one transaction.
 */
import type { LabReport } from '../../core/report/model.js';
import { decideRetry, type RetryPolicy } from '../../core/policy/retry.js';
import type { Clock, DeliveryOutcome, DmpRoute, Ids } from '../ports.js';
import type { Db, Executor } from '../../adapters/storage/db.js';
import type { OutboxStore } from '../../adapters/storage/outbox.js';
import type { TransitionPatch, Transmission, TransmissionStore } from '../../adapters/storage/transmissions.js';
import type { AuditInput } from '../../adapters/storage/audit-store.js';
import type { TransmissionState } from '../../core/policy/states.js';
import type { GatewayMetrics } from '../../adapters/metrics/registry.js';

export interface DeliverDeps {
  readonly db: Db;
  readonly transmissions: TransmissionStore;
  readonly outbox: OutboxStore;
  readonly route: DmpRoute;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly retry: RetryPolicy;
  /** How long a send may take before its lease runs out and it is treated as having had no answer. */
  readonly leaseMs: number;
  /** A draw in [0, 1) for the jitter. */
  readonly random: () => number;
  readonly metrics?: GatewayMetrics;
  readonly owner: string;
  /**
   * Called inside the transaction that settles a delivery (`delivered`, or `failed` for good), so that what must
   * follow it (the SIL's DMP receipt, src/app/receipts) is stored with it or not at all.
   */
  readonly onSettled?: SettlementHook;
}

/** A delivery that reached an end: the transmission as stored by the transition, and the error when it failed. */
export interface DeliverySettlement {
  readonly transmission: Transmission;
  readonly outcome: 'delivered' | 'failed';
  /** Our catalogue code and the message (for a DMP refusal: the DMP's own error code and context). */
  readonly error?: { readonly code: string; readonly message: string };
}

export type SettlementHook = (tx: Executor, settlement: DeliverySettlement) => Promise<void>;

/** What happened, for the breaker: did the DMP answer at all? */
export type DeliveryResult = 'delivered' | 'transient_failure' | 'permanent_failure' | 'reconciled' | 'skipped';

const actor = 'system:delivery';

export async function deliverOne(deps: DeliverDeps, claimed: Transmission): Promise<DeliveryResult> {
  const doc = await deps.outbox.documentOf(claimed.id);
  const report = JSON.parse(claimed.reportJson ?? 'null') as LabReport | null;
  if (!doc || !report || !claimed.documentUniqueId) {
    const lastError = 'The document of this transmission is not in storage.';
    await settle(deps, claimed.id, [claimed.status], 'failed', { leaseOwner: null, leaseUntil: null, lastErrorCode: 'OUTBOX_DOCUMENT_MISSING', lastError }, { type: 'delivery.outcome', actor, outcome: 'failure', details: { code: 'OUTBOX_DOCUMENT_MISSING' } }, undefined, { code: 'OUTBOX_DOCUMENT_MISSING', message: lastError });
    return 'permanent_failure';
  }
  // CX form, so the registry query carries the document's own INS authority (NIR, NIA, test NIR…).
  const ins = report.patient.ins ? `${report.patient.ins.value}^^^&${report.patient.ins.oid}&ISO` : '';

  // No answer last time: ask the registry before any resend (ITI-18 by uniqueId).
  if (claimed.status === 'uncertain') {
    let found: Awaited<ReturnType<DmpRoute['findByUniqueId']>>;
    try {
      found = await deps.route.findByUniqueId(doc.uniqueId, ins);
    } catch (e) {
      await scheduleRetry(deps, claimed, 'uncertain', 'DMP_UNREACHABLE', `Reconciliation query failed: ${(e as Error).message}`);
      return 'transient_failure';
    }
    if (found.found) {
      await deps.db.transaction(async (tx) => {
        if (found.entryUuid) {
          await deps.outbox.setEntryUuid(tx, doc.uniqueId, found.entryUuid);
        }
        await settle(deps, claimed.id, ['uncertain'], 'delivered', { leaseOwner: null, leaseUntil: null, nextAttemptAt: null, lastErrorCode: null, lastError: null }, { type: 'delivery.reconciled', actor, outcome: 'success', documentUniqueId: doc.uniqueId, details: { found: true, entryUuid: found.entryUuid ?? null } }, tx);
      });
      deps.metrics?.deliveries.inc({ outcome: 'delivered', code: 'RECONCILED' });
      return 'reconciled';
    }
  }

  // Send. The state says `sending` (with the lease) before the first byte leaves: recorded here, or already for
  // the whole claimed batch by recordSending (then the transmission comes in `sending`, its attempt counted).
  const preRecorded = claimed.status === 'sending';
  const attempts = preRecorded ? claimed.attempts : claimed.attempts + 1;
  if (!preRecorded) {
    await deps.transmissions.transition(claimed.id, [claimed.status], 'sending', sendingPatch(deps, attempts), attemptAudit(doc.uniqueId, attempts, claimed.status === 'uncertain'));
  }
  let outcome: DeliveryOutcome;
  try {
    outcome = await deps.route.submit({
      transmissionId: claimed.id,
      documentXml: doc.xml,
      documentUniqueId: doc.uniqueId,
      setId: doc.setId,
      versionNumber: doc.versionNumber,
      ...(doc.replacesUniqueId ? { replacesUniqueId: doc.replacesUniqueId } : {}),
      report,
      ...(doc.header ? { header: doc.header } : {}),
    });
  } catch (e) {
    outcome = { kind: 'uncertain', code: 'DMP_NO_ANSWER', message: (e as Error).message };
  }
  // "Already registered" after an earlier attempt that had no answer: that attempt reached the DMP.
  if (outcome.kind === 'rejected' && outcome.code === 'DMP_DUPLICATE_DOCUMENT' && attempts > 1) {
    try {
      const found = await deps.route.findByUniqueId(doc.uniqueId, ins);
      if (found.found) {
        outcome = { kind: 'delivered', ...(found.entryUuid ? { entryUuid: found.entryUuid } : {}), answer: outcome.answer ?? outcome.message };
      }
    } catch {
      outcome = { kind: 'uncertain', code: 'DMP_NO_ANSWER', message: 'The DMP says the document is registered, and the registry query to confirm it failed.' };
    }
  }
  return recordOutcome(deps, { ...claimed, attempts }, doc.uniqueId, outcome);
}

const sendingPatch = (deps: DeliverDeps, attempts: number): TransitionPatch => ({
  attempts,
  leaseOwner: deps.owner,
  leaseUntil: new Date(deps.clock.now().getTime() + deps.leaseMs).toISOString(),
});

const attemptAudit = (uniqueId: string | undefined, attempt: number, reconciledNotFound: boolean): Omit<AuditInput, 'transmissionId'> => ({
  type: 'delivery.attempt',
  actor,
  outcome: 'info',
  ...(uniqueId ? { documentUniqueId: uniqueId } : {}),
  details: { attempt, reconciledNotFound },
});

/**
 * Records `sending` (the attempt, the lease, its audit record) for the claimed transmissions that need no
 * reconciliation first, all in one transaction: on PostgreSQL the audit chain's lock is then taken once per batch
 * instead of once per report. Returns the batch with those transmissions as stored (`sending`), for deliverOne.
 * If that transaction fails, the batch is returned as claimed and deliverOne records each one itself.
 */
export async function recordSending(deps: DeliverDeps, claimed: readonly Transmission[], onError: (e: unknown) => void): Promise<Transmission[]> {
  const direct = claimed.filter((t) => t.status === 'ready' || t.status === 'retry_wait');
  if (direct.length === 0) {
    return [...claimed];
  }
  try {
    const sending = new Map<string, Transmission>();
    await deps.db.transaction(async (tx) => {
      for (const t of direct) {
        const attempts = t.attempts + 1;
        sending.set(t.id, await deps.transmissions.transition(t.id, [t.status], 'sending', sendingPatch(deps, attempts), attemptAudit(t.documentUniqueId ?? undefined, attempts, false), tx));
      }
    });
    return claimed.map((t) => sending.get(t.id) ?? t);
  } catch (e) {
    onError(e);
    return [...claimed];
  }
}

/** A send still in flight may have been swept to `uncertain` by another instance whose clock passed our lease. */
const IN_FLIGHT_STATES = ['sending', 'uncertain'] as const;

async function recordOutcome(deps: DeliverDeps, t: Transmission, uniqueId: string, outcome: DeliveryOutcome): Promise<DeliveryResult> {
  const clear = { leaseOwner: null, leaseUntil: null } as const;
  switch (outcome.kind) {
    case 'delivered':
      await deps.db.transaction(async (tx) => {
        if (outcome.entryUuid) {
          await deps.outbox.setEntryUuid(tx, uniqueId, outcome.entryUuid);
        }
        await settle(deps, t.id, IN_FLIGHT_STATES, 'delivered', { ...clear, nextAttemptAt: null, lastErrorCode: null, lastError: null, dmpAnswer: outcome.answer }, { type: 'delivery.outcome', actor, outcome: 'success', documentUniqueId: uniqueId, details: { attempt: t.attempts, entryUuid: outcome.entryUuid ?? null, certificateFingerprint: outcome.certificateFingerprint ?? null } }, tx);
      });
      deps.metrics?.deliveries.inc({ outcome: 'delivered', code: 'OK' });
      return 'delivered';
    case 'rejected':
      deps.metrics?.deliveries.inc({ outcome: 'rejected', code: outcome.code });
      if (outcome.retryable) {
        await scheduleRetry(deps, t, 'sending', outcome.code, outcome.message, outcome.answer);
        return 'transient_failure';
      }
      await settle(deps, t.id, IN_FLIGHT_STATES, 'failed', { ...clear, lastErrorCode: outcome.code, lastError: outcome.message, dmpAnswer: outcome.answer ?? null }, { type: 'delivery.outcome', actor, outcome: 'failure', documentUniqueId: uniqueId, details: { attempt: t.attempts, code: outcome.code, retryable: false } }, undefined, { code: outcome.code, message: outcome.message });
      return 'permanent_failure';
    case 'uncertain':
      deps.metrics?.deliveries.inc({ outcome: 'uncertain', code: outcome.code });
      if ((await deps.transmissions.get(t.id))?.status === 'uncertain') {
        return 'transient_failure'; // already swept: reconciliation will settle it
      }
      await deps.transmissions.transition(t.id, ['sending'], 'uncertain', { ...clear, nextAttemptAt: new Date(deps.clock.now().getTime() + deps.retry.baseMs).toISOString(), lastErrorCode: outcome.code, lastError: outcome.message }, { type: 'delivery.outcome', actor, outcome: 'failure', documentUniqueId: uniqueId, details: { attempt: t.attempts, code: outcome.code, uncertain: true } });
      return 'transient_failure';
  }
}

async function scheduleRetry(deps: DeliverDeps, t: Transmission, initialFrom: 'sending' | 'uncertain', code: string, message: string, answer?: string): Promise<void> {
  let from = initialFrom;
  const decision = decideRetry(deps.retry, { attempts: t.attempts, createdAt: new Date(t.createdAt), now: deps.clock.now(), random: deps.random() });
  const clear = { leaseOwner: null, leaseUntil: null } as const;
  if (decision.kind === 'dead_letter') {
    const lastError = `${message} (${decision.reason})`;
    await settle(deps, t.id, [from], 'failed', { ...clear, lastErrorCode: code, lastError, ...(answer ? { dmpAnswer: answer } : {}) }, { type: 'delivery.outcome', actor, outcome: 'failure', details: { attempt: t.attempts, code, deadLetter: decision.reason } }, undefined, { code, message: lastError });
    return;
  }
  deps.metrics?.retries.inc();
  if (from === 'sending' && (await deps.transmissions.get(t.id))?.status === 'uncertain') {
    from = 'uncertain'; // swept while we waited: whether the DMP has it is unknown, reconcile first
  }
  if (from === 'uncertain') {
    // Still unknown whether the DMP has it: stay uncertain, ask again later.
    await deps.db.execute('UPDATE transmissions SET next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, last_error_code = ?, last_error = ? WHERE id = ? AND status = ?', [decision.at.toISOString(), code, message, t.id, 'uncertain']);
    return;
  }
  await deps.transmissions.transition(t.id, ['sending'], 'retry_wait', { ...clear, nextAttemptAt: decision.at.toISOString(), lastErrorCode: code, lastError: message, ...(answer ? { dmpAnswer: answer } : {}) }, { type: 'delivery.outcome', actor, outcome: 'failure', details: { attempt: t.attempts, code, retryAt: decision.at.toISOString() } });
}

/**
 * The last transition of a delivery (to `delivered` or `failed`) and the settlement hook, in one transaction (the
 * caller's when given): the transmission does not end without what must follow it.
 */
async function settle(
  deps: DeliverDeps,
  id: string,
  from: readonly TransmissionState[],
  to: 'delivered' | 'failed',
  patch: TransitionPatch,
  audit: Omit<AuditInput, 'transmissionId'>,
  tx?: Executor,
  error?: DeliverySettlement['error'],
): Promise<void> {
  const run = async (t: Executor): Promise<void> => {
    const transmission = await deps.transmissions.transition(id, from, to, patch, audit, t);
    await deps.onSettled?.(t, { transmission, outcome: to, ...(error ? { error } : {}) });
  };
  await (tx ? run(tx) : deps.db.transaction(run));
}

/** A send left without answer by a dead instance (lease expired while `sending`) becomes `uncertain`. */
export async function sweepExpired(deps: DeliverDeps, ownInFlight: ReadonlySet<string> = new Set()): Promise<number> {
  let n = 0;
  for (const t of await deps.outbox.expiredSending(deps.clock.now())) {
    if (ownInFlight.has(t.id)) {
      continue; // ours and still running: its lease is being renewed
    }
    try {
      await deps.transmissions.transition(t.id, ['sending'], 'uncertain', { leaseOwner: null, leaseUntil: null, nextAttemptAt: null, lastErrorCode: 'DMP_NO_ANSWER', lastError: 'The sending instance stopped before the DMP answered.' }, { type: 'delivery.outcome', actor, outcome: 'failure', details: { code: 'DMP_NO_ANSWER', leaseExpired: true, owner: t.leaseOwner } });
      n++;
    } catch {
      // Another instance swept it first.
    }
  }
  return n;
}
