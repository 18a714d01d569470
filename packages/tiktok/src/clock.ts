import { setTimeout as sleep } from 'node:timers/promises';

// Time is injected everywhere it matters (token expiry, rate-limit windows, backoff, webhook tolerance) so tests run
// on fake time and never sleep for real.

export interface TikTokClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemTikTokClock: TikTokClock = {
  now: () => Date.now(),
  // Node's abortable timer rejects with an AbortError carrying the reason as its cause; TikTokClock promises the
  // reason itself.
  sleep: (ms, signal) =>
    sleep(ms, undefined, { signal }).catch((error: unknown) => {
      throw signal?.aborted ? signal.reason : error;
    }),
};

/**
 * A clock that only moves when told to; `sleep` moves it forward at once, so code that backs off or waits for a
 * rate-limit window runs instantly and deterministically. For tests and simulations.
 */
export interface ManualClock extends TikTokClock {
  advance(ms: number): void;
  set(epochMs: number): void;
}

export function createManualClock(startMs = Date.UTC(2026, 0, 1)): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += Math.max(0, ms);
    },
    set: (epochMs) => {
      current = epochMs;
    },
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      current += Math.max(0, ms);
      return Promise.resolve();
    },
  };
}
