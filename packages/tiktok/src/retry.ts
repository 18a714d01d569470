// Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): the delay before
// retry n is uniform in [0, min(maxDelay, base * 2^n)], which spreads retries of many clients apart.

export interface RetryOptions {
  /** Retries after the first attempt; the ceiling is 3. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * The longest TikTok-imposed wait (a 429) the client sits out before retrying by itself; longer waits surface
   * as an error with retryAfterMs.
   */
  maxRateLimitWaitMs: number;
  /** Source of randomness in [0, 1); injectable for deterministic tests. */
  random: () => number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRateLimitWaitMs: 0,
  random: Math.random,
};

export function backoffDelay(retry: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return Math.floor(options.random() * ceiling);
}
