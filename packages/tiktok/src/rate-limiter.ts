import { createHash } from 'node:crypto';
import type { TikTokClock } from './clock.js';
import {
  RATE_LIMIT_WINDOW_MS,
  TIKTOK_RATE_LIMITS_PER_MINUTE,
  type RateLimitedEndpoint,
} from './endpoints.js';
import { TikTokError } from './errors.js';
import { SlidingWindowLog } from './sliding-window.js';

export interface RateLimitOptions {
  /** Overrides of TikTok's per-token limits (requests per window). */
  limits?: Partial<Record<RateLimitedEndpoint, number>>;
  /** TikTok's window is one minute. */
  windowMs?: number;
  /**
   * How long a call may wait for room in the window before it fails with `rate_limited` instead. 0 (the default)
   * never waits: a request handler should answer 429 with retryAfterMs rather than hold a connection open.
   */
  maxWaitMs?: number;
}

/** Keys the limiter by a digest of the token, so the limiter's memory never holds a usable token. */
export function tokenFingerprint(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest('hex').slice(0, 24);
}

/**
 * TikTok's sliding one-minute window per access token and endpoint, kept on our side so that normal use never
 * meets a 429 from TikTok. It is per process: several processes sharing one token share TikTok's budget, and a 429
 * TikTok still sends is fed back with `blockUntilWindowPasses`.
 */
export class SlidingWindowRateLimiter {
  private readonly window: SlidingWindowLog;
  private readonly blockedUntil = new Map<string, number>();
  private readonly maxWaitMs: number;
  private readonly limits: Record<RateLimitedEndpoint, number>;

  constructor(
    private readonly clock: TikTokClock,
    options: RateLimitOptions = {},
  ) {
    this.window = new SlidingWindowLog(options.windowMs ?? RATE_LIMIT_WINDOW_MS);
    this.maxWaitMs = options.maxWaitMs ?? 0;
    this.limits = { ...TIKTOK_RATE_LIMITS_PER_MINUTE, ...options.limits };
  }

  /** How long until a call may go out (0 when there is room now). */
  waitTime(tokenKey: string, endpoint: RateLimitedEndpoint): number {
    const key = `${tokenKey}:${endpoint}`;
    const now = this.clock.now();
    const blocked = (this.blockedUntil.get(key) ?? 0) - now;
    return Math.max(0, blocked, this.window.waitTime(key, this.limits[endpoint], now));
  }

  /** Takes a slot for one call, waiting up to maxWaitMs for one; otherwise throws `rate_limited`. */
  async acquire(tokenKey: string, endpoint: RateLimitedEndpoint, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.waitTime(tokenKey, endpoint);
      if (wait === 0) {
        this.window.record(`${tokenKey}:${endpoint}`, this.clock.now());
        return;
      }
      if (wait > this.maxWaitMs) {
        throw new TikTokError({ code: 'rate_limited', endpoint, retryAfterMs: wait, retryable: true });
      }
      await this.clock.sleep(wait, signal);
    }
  }

  /** TikTok answered 429 anyway (another process used the same token): hold calls until a window has passed. */
  blockUntilWindowPasses(tokenKey: string, endpoint: RateLimitedEndpoint): number {
    const until = this.clock.now() + this.window.windowMs;
    this.blockedUntil.set(`${tokenKey}:${endpoint}`, until);
    return this.window.windowMs;
  }
}
