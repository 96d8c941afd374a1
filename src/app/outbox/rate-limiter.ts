/**
 * The outbox's rate limit towards the DMP: each request (ITI-41, ITI-18, ITI-65) awaits `take()` right before
 * it leaves, and turns are spaced 1/maxPerSecond apart, so in any one-second window the DMP gets at most
 * maxPerSecond requests from this instance, whatever the retries, reconciliations and concurrency do.
 */
export class RateLimiter {
  private chain: Promise<void> = Promise.resolve();
  private last = Number.NEGATIVE_INFINITY;
  private readonly spacingMs: number;

  constructor(
    maxPerSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.spacingMs = 1000 / Math.max(1, maxPerSecond);
  }

  /**
   * Resolves at this caller's turn. Callers are served one after the other, each at least 1/rate after the
   * previous one was actually released (a timer that fires late never lets two requests out together).
   */
  take(): Promise<void> {
    const turn = this.chain.then(async () => {
      // A timer may fire a little early by the wall clock: wait again until the turn has really come.
      for (let wait = this.last + this.spacingMs - this.now(); wait > 0; wait = this.last + this.spacingMs - this.now()) {
        await this.sleep(wait);
      }
      this.last = this.now();
    });
    this.chain = turn;
    return turn;
  }
}
