/**
 * Queuing the SIL's DMP receipt (CI-SIS volet "Transmission de documents CDA en HL7 v2", `ZAM^Z01^ZAM_Z01`): when
 * the SIL's message carried ACK_RECEPTION = Y, the transaction that settles the delivery also stores the receipt,
 * built at once (Y when delivered; N with ERR when failed), so neither a crash nor a SIL that is down loses it.
 * The receipt worker (worker.ts) sends it.
 */
import type { LabReport } from '../../core/report/model.js';
import type { Clock, Ids } from '../ports.js';
import type { Db, Executor } from '../../adapters/storage/db.js';
import { appendAudit } from '../../adapters/storage/audit-store.js';
import type { SilReceiptStore } from '../../adapters/storage/receipts.js';
import { buildDmpReceipt, originalHeader } from '../../adapters/hl7v2/zam.js';
import type { DeliverySettlement, SettlementHook } from '../outbox/deliver.js';

export interface ReceiptQueueDeps {
  readonly db: Db;
  readonly receipts: SilReceiptStore;
  readonly clock: Clock;
  readonly ids: Ids;
}

const actor = 'system:receipts';
/** ERR-5.2 (the DMP's label) is kept short: it is a pointer, the full answer stays with the transmission. */
const MAX_LABEL = 200;

/** MSH-10 of a ZAM: a UUID's 32 hex digits (MSH-10 is up to 199 characters in v2.6). */
export const receiptControlId = (ids: Ids): string => ids.uuid().replace(/-/g, '').toUpperCase();

/** The stored report when it asks for a receipt (deliverOne has read the same JSON already). */
const wantsReceipt = (reportJson: string | null): LabReport | undefined => {
  const report = JSON.parse(reportJson ?? 'null') as LabReport | null;
  return report?.flags?.ackReception === true ? report : undefined;
};

/** The settlement hook that queues the receipt (DeliverDeps.onSettled). */
export const queueDmpReceipt =
  (deps: ReceiptQueueDeps): SettlementHook =>
  async (tx: Executor, s: DeliverySettlement): Promise<void> => {
    const report = wantsReceipt(s.transmission.reportJson);
    if (!report) {
      return;
    }
    const now = deps.clock.now();
    const id = deps.ids.uuid();
    const controlId = receiptControlId(deps.ids);
    const accepted = s.outcome === 'delivered';
    const raw = await deps.receipts.originalOf(tx, s.transmission.id);
    const original = raw && raw.length > 0 ? originalHeader(raw, report.messageId) : undefined;
    const base = { id, transmissionId: s.transmission.id, controlId, accepted, at: now };
    const audit = { actor, transmissionId: s.transmission.id, ...(s.transmission.insHash ? { subjectHash: s.transmission.insHash } : {}) };
    if (!original) {
      // Nothing to answer with (no MSH to read back): recorded as failed, never silently dropped.
      const message = 'The original message cannot be read back, so no DMP receipt can be built.';
      await deps.receipts.insert(tx, { ...base, originalControlId: report.messageId, payload: '', state: 'failed', lastErrorCode: 'SIL_RECEIPT_ORIGINAL_UNREADABLE', lastError: message });
      await appendAudit(deps.db, tx, { ...audit, type: 'receipt.failed', outcome: 'failure', details: { receiptId: id, code: 'SIL_RECEIPT_ORIGINAL_UNREADABLE', accepted } }, now, deps.ids.uuid());
      return;
    }
    const dmpError = !accepted && s.error ? { code: s.error.code, label: s.error.message.slice(0, MAX_LABEL) } : undefined;
    const payload = buildDmpReceipt({ original, accepted, ...(dmpError ? { dmpError } : {}), now, controlId });
    await deps.receipts.insert(tx, { ...base, originalControlId: original.controlId, payload, state: 'pending' });
    await appendAudit(
      deps.db,
      tx,
      { ...audit, type: 'receipt.queued', outcome: 'info', details: { receiptId: id, controlId, originalControlId: original.controlId, accepted, ...(dmpError ? { code: dmpError.code } : {}) } },
      now,
      deps.ids.uuid(),
    );
  };
