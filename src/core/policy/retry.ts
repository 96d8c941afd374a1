/**
 * Retry policy for deliveries: exponential backoff with full jitter, a cap, and a dead-letter rule
 * (too many attempts or too old). Pure: the random draw and the times are passed in.
 */
export interface RetryPolicy {
  readonly baseMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
  readonly maxAgeMs: number;
}

/** Delay before attempt `attempt + 1` (attempt counts from 1), with `random` in [0, 1). */
export const backoffDelayMs = (policy: RetryPolicy, attempt: number, random: number): number => {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  // "Equal jitter": at least half the ceiling, so retries never bunch at zero.
  return Math.round(ceiling / 2 + (ceiling / 2) * Math.min(Math.max(random, 0), 1));
};

export type RetryDecision = { readonly kind: 'retry'; readonly at: Date } | { readonly kind: 'dead_letter'; readonly reason: string };

export const decideRetry = (policy: RetryPolicy, args: { attempts: number; createdAt: Date; now: Date; random: number }): RetryDecision => {
  if (args.attempts >= policy.maxAttempts) {
    return { kind: 'dead_letter', reason: `gave up after ${args.attempts} attempts` };
  }
  const at = new Date(args.now.getTime() + backoffDelayMs(policy, args.attempts, args.random));
  if (at.getTime() - args.createdAt.getTime() > policy.maxAgeMs) {
    return { kind: 'dead_letter', reason: `older than ${Math.round(policy.maxAgeMs / 3600000)} h without delivery` };
  }
  return { kind: 'retry', at };
};

/**
 * Circuit breaker per destination: after `threshold` consecutive transient failures it opens for
 * `cooldownMs` (no sends: the queue grows, the DMP is not hammered), then lets one trial through
 * (half-open); a success closes it, a failure opens it again.
 */
export interface BreakerState {
  readonly state: 'closed' | 'open' | 'half_open';
  readonly consecutiveFailures: number;
  readonly openedAt?: number;
}

export interface BreakerPolicy {
  readonly threshold: number;
  readonly cooldownMs: number;
}

export const initialBreaker: BreakerState = { state: 'closed', consecutiveFailures: 0 };

/** Whether a send may start now, and the state after deciding (open → half_open after the cooldown). */
export const breakerAllows = (p: BreakerPolicy, s: BreakerState, nowMs: number): { allowed: boolean; next: BreakerState } => {
  if (s.state === 'open') {
    if (nowMs - (s.openedAt ?? 0) >= p.cooldownMs) {
      return { allowed: true, next: { ...s, state: 'half_open' } };
    }
    return { allowed: false, next: s };
  }
  return { allowed: true, next: s };
};

export const breakerRecord = (p: BreakerPolicy, s: BreakerState, outcome: 'success' | 'transient_failure' | 'permanent_failure', nowMs: number): BreakerState => {
  if (outcome === 'success' || outcome === 'permanent_failure') {
    // A permanent rejection proves the DMP is up and answering.
    return initialBreaker;
  }
  const failures = s.consecutiveFailures + 1;
  if (s.state === 'half_open' || failures >= p.threshold) {
    return { state: 'open', consecutiveFailures: failures, openedAt: nowMs };
  }
  return { state: 'closed', consecutiveFailures: failures };
};
