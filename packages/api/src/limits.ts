// Request rate limits (issue 17, finding 2): every signed-in call counts against its caller's and its address's
// budget for its kind of work. The API only says which bucket a call belongs to and how a refusal reads; the server
// supplies the counting (shared by every process through Postgres) as `AppDeps.limiter`.

export const REQUEST_BUCKETS = ['reads', 'posts', 'connects'] as const;
export type RequestBucket = (typeof REQUEST_BUCKETS)[number];

export interface RateLimitCaller {
  userId: string;
  /** The client's address, when known (behind trusted proxies: from X-Forwarded-For). */
  ip: string | null;
}

export interface RequestLimiter {
  /** Counts one call; null when it is within every limit, else how long to wait before the next one is allowed. */
  consume(bucket: RequestBucket, caller: RateLimitCaller): Promise<{ retryAfterMs: number } | null>;
}

/** Which budget a procedure spends: posting (and cancelling) and connecting are costly; everything else is a read. */
export function bucketOf(path: string): RequestBucket {
  if (path === 'tiktok.post' || path === 'tiktok.cancel') return 'posts';
  if (path === 'tiktok.connect' || path === 'tiktok.completeConnect') return 'connects';
  return 'reads';
}
