import { type RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Below this share of its limit a key's calls are answered at once and counted in Postgres behind them; from there
 * on each call waits for Postgres' count, so the limit itself is exact.
 */
const ANSWER_AHEAD_SHARE = 0.9;
/** At most this share of the limit is answered ahead of Postgres by one process at a time (at least one call). */
const UNCONFIRMED_SHARE = 0.05;
/**
 * Calls answered ahead are sent together after this long, so a busy key costs one upsert per 250 ms rather than one
 * per call (at one connection that upsert was most of the limits' cost). At 50 ms the upserts of ten busy users and
 * their one address cost the detail read 4.4 % of its throughput (interleaved pairs of servers, docs/benchmarks.md),
 * at 250 ms 1.5–2.5 %. The delay does not loosen a limit: what is answered ahead is bounded by UNCONFIRMED_SHARE,
 * however long it waits to be sent.
 */
export const AHEAD_COUNT_DELAY_MS = 250;

interface Waiter {
  resolve: (retryAfterMs: number | null) => void;
  reject: (error: unknown) => void;
}

interface KeyState {
  /** The key's count in Postgres at its last answer (every process's calls), and when its window ends. */
  counted: number;
  windowEndsAt: number;
  /** Calls answered ahead of Postgres, not yet sent / in the upsert in flight. */
  ahead: number;
  aheadInFlight: number;
  /** Calls waiting for Postgres' count (near or over the limit). */
  waiting: Waiter[];
  flying: boolean;
  /** The upsert of calls answered ahead, due AHEAD_COUNT_DELAY_MS after the first of them. */
  due: NodeJS.Timeout | null;
}

/**
 * One key space's counts (a bucket's per-user or per-address limiter), kept in Postgres by rate-limiter-flexible so
 * every process shares them. Waiting for the upsert on every call put a round trip in front of every read (28 % of
 * the detail read at one connection, `pnpm bench`), so:
 * - a key far from its limit is answered at once and counted behind the answer, up to 5 % of the limit not yet
 *   confirmed by Postgres; such calls are sent together 250 ms after the first of them, one upsert in flight per key
 *   and process, calls arriving meanwhile counted together in the next one, as a group commit would;
 * - from 90 % of the limit (or past those 5 %) every call waits for the count, and each keeps its own place: of a
 *   group of n that brings the count to c, the i-th (from 1) is allowed while c - n + i is within the limit.
 * So a limit is exact for up to three processes; N processes can together pass it by at most (N - 3) × 5 % of it.
 */
export class SharedCounter {
  private readonly keys = new Map<string, KeyState>();
  private readonly answerAheadBelow: number;
  private readonly unconfirmedAtMost: number;

  constructor(private readonly limiter: RateLimiterPostgres) {
    this.answerAheadBelow = Math.floor(limiter.points * ANSWER_AHEAD_SHARE);
    this.unconfirmedAtMost = Math.max(1, Math.floor(limiter.points * UNCONFIRMED_SHARE));
  }

  /** Counts one call: null when it is within the limit, or how long until the key's window ends. */
  spend(key: string): number | null | Promise<number | null> {
    const now = Date.now();
    let state = this.keys.get(key);
    if (!state) this.keys.set(key, (state = { counted: 0, windowEndsAt: 0, ahead: 0, aheadInFlight: 0, waiting: [], flying: false, due: null }));
    if (state.windowEndsAt <= now) state.counted = 0;
    const unconfirmed = state.aheadInFlight + state.ahead;
    if (unconfirmed < this.unconfirmedAtMost && state.counted + unconfirmed + state.waiting.length < this.answerAheadBelow) {
      state.ahead += 1;
      this.countSoon(key, state);
      return null;
    }
    if (state.counted >= this.limiter.points) return Math.max(1_000, state.windowEndsAt - now);
    const waiting = state;
    return new Promise((resolve, reject) => {
      waiting.waiting.push({ resolve, reject });
      this.countNow(key, waiting);
    });
  }

  private countSoon(key: string, state: KeyState): void {
    if (state.flying || state.due) return;
    state.due = setTimeout(() => this.countNow(key, state), AHEAD_COUNT_DELAY_MS);
    // A process on its way out does not wait for it: calls answered in its last 250 ms go uncounted.
    state.due.unref();
  }

  private countNow(key: string, state: KeyState): void {
    if (state.due) clearTimeout(state.due);
    state.due = null;
    if (!state.flying) void this.flush(key, state);
  }

  /** How many keys this process keeps counts of (bounded by sweep() to the callers of the current window). */
  get size(): number {
    return this.keys.size;
  }

  /** Forgets keys whose window is over and that nothing is counting: memory stays bounded by the active callers. */
  sweep(): void {
    const now = Date.now();
    for (const [key, state] of this.keys) {
      if (state.windowEndsAt <= now && !state.flying && state.ahead === 0 && state.waiting.length === 0) this.keys.delete(key);
    }
  }

  private async flush(key: string, state: KeyState): Promise<void> {
    const group = state.waiting.splice(0);
    const ahead = state.ahead;
    const points = ahead + group.length;
    if (points === 0) return;
    state.ahead = 0;
    state.aheadInFlight = ahead;
    state.flying = true;
    try {
      let consumed: number;
      let msBeforeNext: number;
      try {
        ({ consumedPoints: consumed, msBeforeNext } = await this.limiter.consume(key, points));
      } catch (refusal) {
        // A RateLimiterRes is "over the limit"; anything else (the database away) fails the calls still waiting.
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        // Refused from memory (the key already over its limit): nothing was counted, every waiting call is refused.
        consumed = refusal.consumedPoints > this.limiter.points ? refusal.consumedPoints : Number.POSITIVE_INFINITY;
        msBeforeNext = refusal.msBeforeNext;
      }
      state.counted = Number.isFinite(consumed) ? consumed : this.limiter.points;
      state.windowEndsAt = Date.now() + msBeforeNext;
      // The calls answered ahead hold the first places of the group.
      const before = consumed - points + ahead;
      group.forEach((waiter, index) => waiter.resolve(before + index + 1 <= this.limiter.points ? null : Math.max(1_000, msBeforeNext)));
    } catch (error) {
      // The calls answered ahead are not counted again: their own queries meet the same database.
      for (const waiter of group) waiter.reject(error);
    } finally {
      state.aheadInFlight = 0;
      state.flying = false;
      if (state.waiting.length > 0) this.countNow(key, state);
      else if (state.ahead > 0) this.countSoon(key, state);
    }
  }
}
