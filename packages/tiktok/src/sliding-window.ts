/**
 * The calls made under each key within a sliding window (TikTok's per token and endpoint: one minute): whether
 * another fits under a limit, and when it will. The client's limiter and the emulator's TikTok both count with it,
 * so the two agree on when the window has room.
 */
export class SlidingWindowLog {
  private readonly stamps = new Map<string, number[]>();

  constructor(readonly windowMs: number) {}

  /** Milliseconds until one more call under `key` stays within `limit` (0: now). */
  waitTime(key: string, limit: number, now: number): number {
    const stamps = this.prune(key, now);
    if (stamps.length < limit) return 0;
    // The limit-th newest call is the one that has to leave the window before another may go.
    return stamps[stamps.length - limit]! + this.windowMs - now;
  }

  /** Logs a call made at `now`. */
  record(key: string, now: number): void {
    const stamps = this.stamps.get(key) ?? [];
    stamps.push(now);
    this.stamps.set(key, stamps);
  }

  /** Logs a call if one more fits within `limit`; says whether it did. */
  tryRecord(key: string, limit: number, now: number): boolean {
    if (this.waitTime(key, limit, now) > 0) return false;
    this.record(key, now);
    return true;
  }

  clear(): void {
    this.stamps.clear();
  }

  private prune(key: string, now: number): number[] {
    const stamps = this.stamps.get(key);
    if (!stamps) return [];
    const fresh = stamps.filter((stamp) => stamp > now - this.windowMs);
    if (fresh.length === 0) this.stamps.delete(key);
    else this.stamps.set(key, fresh);
    return fresh;
  }
}
