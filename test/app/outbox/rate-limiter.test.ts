import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../../src/app/outbox/rate-limiter.js';

describe('rate limiter', () => {
  it('gives turns 1/rate apart, also to concurrent callers, and none early after an idle time', async () => {
    let now = 1000;
    const waits: number[] = [];
    const limiter = new RateLimiter(4, () => now, (ms) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    });
    const turns: number[] = [];
    // Five callers at the same instant.
    await Promise.all(Array.from({ length: 5 }, async () => {
      await limiter.take();
      turns.push(now);
    }));
    assert.deepEqual(waits, [250, 250, 250, 250], 'each waits 250 ms after the previous release');
    assert.deepEqual(turns, [1000, 1250, 1500, 1750, 2000]);
    now = 10_000; // idle for a while: no burst is saved up
    await limiter.take();
    await limiter.take();
    assert.deepEqual(waits.slice(4), [250]);
    assert.equal(now, 10_250);
    // A late wake-up (the event loop was busy) pushes the next turn back instead of letting two out together.
    const late = new RateLimiter(4, () => now, (ms) => {
      now += ms + 180;
      return Promise.resolve();
    });
    const at: number[] = [];
    for (let i = 0; i < 3; i++) {
      await late.take();
      at.push(now);
    }
    assert.ok(at.every((t, i) => i === 0 || t - (at[i - 1] ?? 0) >= 250), JSON.stringify(at));
  });
});
