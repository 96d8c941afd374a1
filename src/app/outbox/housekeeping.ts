/**
 * Periodic housekeeping: queue metrics (depth by state, oldest waiting, holds, receipts owed to the SIL) and
 * retention (raw inputs and document bodies of finished transmissions dropped after the configured days; hashes,
 * rows and the audit trail stay, and each purge is itself audited).
 */
import type { Clock, Ids } from '../ports.js';
import { TRANSMISSION_STATES } from '../../core/policy/states.js';
import type { Db } from '../../adapters/storage/db.js';
import { appendAudit } from '../../adapters/storage/audit-store.js';
import type { OutboxStore } from '../../adapters/storage/outbox.js';
import type { TransmissionStore } from '../../adapters/storage/transmissions.js';
import type { GatewayMetrics } from '../../adapters/metrics/registry.js';

export interface HousekeepingDeps {
  readonly db: Db;
  readonly transmissions: TransmissionStore;
  readonly outbox: OutboxStore;
  readonly metrics: GatewayMetrics;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly retentionDays: number;
  /** DMP receipts owed to the SIL (ZAM^Z01): how many wait (sil_receipts). */
  readonly receipts?: { countPending(): Promise<number> };
}

export async function refreshQueueMetrics(deps: HousekeepingDeps): Promise<void> {
  const counts = await deps.transmissions.countByStatus();
  for (const s of TRANSMISSION_STATES) {
    deps.metrics.transmissionsByState.set({ state: s }, counts[s] ?? 0);
  }
  deps.metrics.identityHoldsWaiting.set(counts['identity_hold'] ?? 0);
  deps.metrics.oldestReadyAgeSeconds.set(await deps.outbox.oldestReadyAgeSeconds(deps.clock.now()));
  if (deps.receipts) {
    deps.metrics.silReceiptsPending.set(await deps.receipts.countPending());
  }
}

export async function applyRetention(deps: HousekeepingDeps): Promise<{ inputs: number; documents: number }> {
  const now = deps.clock.now();
  const before = new Date(now.getTime() - deps.retentionDays * 24 * 3600 * 1000);
  const purged = await deps.outbox.purgeBefore(before, now);
  if (purged.inputs + purged.documents > 0) {
    await deps.db.transaction((tx) => appendAudit(deps.db, tx, { type: 'retention.purge', actor: 'system:retention', outcome: 'info', details: { before: before.toISOString(), ...purged } }, now, deps.ids.uuid()));
    if (deps.db.engine === 'sqlite') {
      // Give the space back (incremental vacuum needs auto_vacuum; a plain VACUUM is fine at this rhythm).
      await deps.db.execute('VACUUM');
    }
  }
  return purged;
}
