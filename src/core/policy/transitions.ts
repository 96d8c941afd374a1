/**
 * The transmission state machine (DESIGN.md "Transmission states"). Every state change in the gateway goes
 * through `assertTransition`, and each is stored with its audit record in one transaction.
 *
 *   received → identity_hold | opposed | quarantined | ready | rejected
 *   identity_hold → received (released: processed again with the qualified identity) | rejected
 *   ready → sending → delivered | retry_wait | failed | uncertain
 *   retry_wait → sending;  uncertain → delivered (found by ITI-18) | ready (not found: resend, same uniqueId)
 *   failed → ready (replay: the same document again);  quarantined → received (replay: built again)
 */
import type { TransmissionState } from './states.js';

export const TRANSITIONS: Readonly<Record<TransmissionState, readonly TransmissionState[]>> = {
  received: ['identity_hold', 'opposed', 'quarantined', 'ready', 'rejected'],
  identity_hold: ['received', 'rejected'],
  opposed: [],
  quarantined: ['received', 'rejected'],
  ready: ['sending', 'quarantined'],
  sending: ['delivered', 'retry_wait', 'failed', 'uncertain', 'ready'],
  retry_wait: ['sending', 'failed', 'ready'],
  uncertain: ['delivered', 'ready', 'sending', 'failed'],
  delivered: [],
  failed: ['ready'],
  rejected: [],
};

export const canTransition = (from: TransmissionState, to: TransmissionState): boolean => TRANSITIONS[from].includes(to);

/** States a transmission may be left in for good. */
export const isFinal = (s: TransmissionState): boolean => TRANSITIONS[s].length === 0;
