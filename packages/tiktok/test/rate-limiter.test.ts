import { describe, expect, it } from 'vitest';
import { createManualClock, SlidingWindowLog, SlidingWindowRateLimiter } from '../src/index.js';

describe('the client-side rate limiter', () => {
  it("applies TikTok's limits: creator info 20, status 30, user info 600 a minute", () => {
    const clock = createManualClock();
    const limiter = new SlidingWindowRateLimiter(clock);
    const room = (endpoint: 'creator_info.query' | 'status.fetch' | 'user.info' | 'inbox.video.init') => {
      let calls = 0;
      while (limiter.waitTime('token', endpoint) === 0) {
        void limiter.acquire('token', endpoint);
        calls += 1;
      }
      return calls;
    };
    expect([room('creator_info.query'), room('status.fetch'), room('user.info'), room('inbox.video.init')]).toEqual([20, 30, 600, 6]);
  });
});

describe('the sliding window log', () => {
  it('lets a limit of calls in per window and says when the next fits', () => {
    const window = new SlidingWindowLog(60_000);
    expect([window.tryRecord('k', 2, 0), window.tryRecord('k', 2, 10_000), window.tryRecord('k', 2, 20_000)]).toEqual([true, true, false]);
    expect(window.waitTime('k', 2, 20_000)).toBe(40_000);
    expect(window.tryRecord('k', 2, 60_000)).toBe(true);
  });

  it('counts each key apart and forgets everything on clear', () => {
    const window = new SlidingWindowLog(1_000);
    window.record('a', 0);
    expect([window.waitTime('a', 1, 0), window.waitTime('b', 1, 0)]).toEqual([1_000, 0]);
    window.clear();
    expect(window.waitTime('a', 1, 0)).toBe(0);
  });
});
