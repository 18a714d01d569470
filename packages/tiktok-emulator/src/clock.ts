import { systemTikTokClock, type TikTokClock } from '@reelpost/tiktok';

/**
 * The emulator's time. "manual" stands still until advanced (tests: token expiry, rate-limit windows, processing
 * and moderation all happen on `advance`, and `sleep` advances at once so a client sharing this clock never waits);
 * "real" follows the wall clock plus whatever was advanced (the standalone command and the demo).
 */
export interface EmulatorClock extends TikTokClock {
  readonly mode: 'manual' | 'real';
  advance(ms: number): void;
  /** Called after every move of manual time, so the emulator can act on what became due. */
  onAdvance(listener: () => void): void;
}

export function createEmulatorClock(mode: 'manual' | 'real', startMs: number): EmulatorClock {
  let offset = mode === 'manual' ? startMs : 0;
  const listeners: (() => void)[] = [];
  const base = () => (mode === 'manual' ? 0 : Date.now());
  const advance = (ms: number) => {
    offset += Math.max(0, ms);
    for (const listener of listeners) listener();
  };
  return {
    mode,
    now: () => base() + offset,
    advance,
    onAdvance: (listener) => {
      listeners.push(listener);
    },
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      if (mode === 'manual') {
        advance(ms);
        return Promise.resolve();
      }
      return systemTikTokClock.sleep(ms, signal);
    },
  };
}
