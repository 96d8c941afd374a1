/**
 * Replay: a failed transmission goes back to `ready` (the same document, same uniqueId, is sent again); a
 * quarantined one goes back to `received` (built and checked again, e.g. after a rule or setting fix).
 * A dry run says what would happen without changing anything.
 */
import { GatewayError } from '../../core/errors/index.js';
import type { OutboxStore } from '../../adapters/storage/outbox.js';
import type { Transmission, TransmissionStore } from '../../adapters/storage/transmissions.js';

export interface ReplayPlan {
  readonly id: string;
  readonly from: Transmission['status'];
  readonly to: 'ready' | 'received';
  readonly documentUniqueId: string | null;
  readonly action: string;
}

export const planReplay = (t: Transmission): ReplayPlan => {
  if (t.status === 'failed') {
    return { id: t.id, from: t.status, to: 'ready', documentUniqueId: t.documentUniqueId, action: `send document ${t.documentUniqueId ?? '?'} again (same uniqueId)` };
  }
  if (t.status === 'quarantined') {
    return { id: t.id, from: t.status, to: 'received', documentUniqueId: null, action: 'build and check the document again' };
  }
  throw new GatewayError('REPLAY_NOT_ALLOWED', `Transmission ${t.id} is ${t.status}; only failed or quarantined transmissions can be replayed.`);
};

export async function replay(deps: { transmissions: TransmissionStore; outbox: OutboxStore }, ids: readonly string[], options: { dryRun: boolean; actor: string }): Promise<ReplayPlan[]> {
  const plans: ReplayPlan[] = [];
  for (const id of ids) {
    const t = await deps.transmissions.get(id);
    if (!t) {
      throw new GatewayError('NOT_FOUND', `No transmission ${id}.`);
    }
    const plan = planReplay(t);
    if (plan.to === 'ready' && !(await deps.outbox.documentOf(id))?.xml) {
      throw new GatewayError('OUTBOX_DOCUMENT_MISSING', `The document of transmission ${id} was purged; it cannot be sent again.`);
    }
    plans.push(plan);
  }
  if (!options.dryRun) {
    for (const plan of plans) {
      await deps.transmissions.transition(plan.id, [plan.from], plan.to, { attempts: 0, nextAttemptAt: null, leaseOwner: null, leaseUntil: null }, { type: 'transmission.replay', actor: options.actor, outcome: 'info', details: { to: plan.to } });
    }
  }
  return plans;
}

/** Failed transmissions created in [from, to), for `replay --failed --from --to`. */
export async function failedBetween(transmissions: TransmissionStore, from: string, to: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await transmissions.list({ status: 'failed', since: from, until: to, limit: 500, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((t) => t.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}
