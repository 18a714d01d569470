import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { RequestBucket, RequestLimiter } from '@reelpost/api';
import type { OpenedDatabase } from '@reelpost/db';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import { SharedCounter } from './shared-counter.js';

/** The table of migration 2026-12-06T0100-request-rate-limits (the library's own shape). */
const TABLE = 'request_rate_limits';

/**
 * Where the limiter's statements run: outside every trace. A count covers the calls of many requests and belongs to
 * none of them; a statement of its own beside each request's would only add spans.
 */
const OUTSIDE_TRACES = suppressTracing(ROOT_CONTEXT);

interface StoreQuery {
  name?: string;
  text: string;
  values?: unknown[];
}

/**
 * The store client rate-limiter-flexible queries. It awaits a connection rather than calling `pool.query`: when
 * every connection is busy, pg-pool runs a queued `pool.query` in the callback of whichever request released one, in
 * that request's trace context — which put about 5 % of the limiter's upserts into unrelated requests' traces.
 * After an `await` the statement runs in the context it was asked from, here OUTSIDE_TRACES.
 *
 * The library names its statements (prepared once per connection); a pooler in transaction mode cannot carry them
 * (DATABASE_PREPARED_STATEMENTS=false), so there they are sent unnamed.
 */
function untracedStore(pool: OpenedDatabase['pool'], prepared: boolean): { query: (query: StoreQuery) => Promise<unknown> } {
  return {
    query: (query) =>
      context.with(OUTSIDE_TRACES, async () => {
        const client = await pool.connect();
        try {
          const result = await client.query(prepared ? query : { text: query.text, values: query.values ?? [] });
          client.release();
          return result;
        } catch (error) {
          // As pool.query does: a connection whose statement failed is closed, not reused.
          client.release(error instanceof Error ? error : true);
          throw error;
        }
      }),
  };
}

/** Every bucket a request can spend: the API's (reads, posts, connects) and the demo's `POST /dev/token`. */
export type LimitedBucket = RequestBucket | 'devToken';

export interface BucketLimits {
  /** Calls per window per signed-in user; null: the bucket is counted per address only. */
  perUser: number | null;
  perIp: number;
}

export function rateLimitsOf(config: Config): { windowSeconds: number; buckets: Record<LimitedBucket, BucketLimits> } {
  return {
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    buckets: {
      reads: { perUser: config.RATE_LIMIT_READS, perIp: config.RATE_LIMIT_READS_PER_IP },
      posts: { perUser: config.RATE_LIMIT_POSTS, perIp: config.RATE_LIMIT_POSTS_PER_IP },
      connects: { perUser: config.RATE_LIMIT_CONNECTS, perIp: config.RATE_LIMIT_CONNECTS_PER_IP },
      devToken: { perUser: null, perIp: config.RATE_LIMIT_DEV_TOKEN_PER_IP },
    },
  };
}

export interface RateLimits extends RequestLimiter {
  /** Counts one call of a bucket by address alone (`POST /dev/token`, where nobody is signed in). */
  consumeByIp(bucket: LimitedBucket, ip: string | null): Promise<{ retryAfterMs: number } | null>;
}

/**
 * rate-limiter-flexible's Postgres store on our pool: every process counts in the same rows, so N servers allow what
 * one would (within SharedCounter's bound). A caller over a limit is then refused from memory until its window ends,
 * so a flood costs no query per request. The user's and the address's counters are spent together.
 */
export function createRateLimits(pool: OpenedDatabase['pool'], config: Config): RateLimits {
  const { windowSeconds, buckets } = rateLimitsOf(config);
  const storeClient = untracedStore(pool, config.DATABASE_PREPARED_STATEMENTS);
  const limiter = (keyPrefix: string, points: number) =>
    new RateLimiterPostgres({
      storeClient,
      storeType: 'pool',
      tableName: TABLE,
      tableCreated: true,
      keyPrefix,
      points,
      duration: windowSeconds,
      inMemoryBlockOnConsumed: points,
    });
  const counters = Object.fromEntries(
    Object.entries(buckets).map(([bucket, limits]) => [
      bucket,
      {
        user: limits.perUser === null ? null : new SharedCounter(limiter(`${bucket}:user`, limits.perUser)),
        ip: new SharedCounter(limiter(`${bucket}:ip`, limits.perIp)),
      },
    ]),
  ) as Record<LimitedBucket, { user: SharedCounter | null; ip: SharedCounter }>;
  // Forgetting the keys of windows that are over keeps the counters' memory to the callers of the last window.
  setInterval(() => {
    for (const { user, ip } of Object.values(counters)) {
      user?.sweep();
      ip.sweep();
    }
  }, windowSeconds * 1_000).unref();
  const verdict = (waits: (number | null)[]) => {
    const longest = Math.max(...waits.map((wait) => wait ?? 0));
    return longest > 0 ? { retryAfterMs: longest } : null;
  };

  return {
    async consume(bucket, caller) {
      const { user, ip } = counters[bucket];
      const byUser = user ? user.spend(caller.userId) : null;
      const byIp = caller.ip === null ? null : ip.spend(caller.ip);
      // Far from its limits a call is answered without waiting for anything.
      if (byUser === null && byIp === null) return null;
      return verdict(await Promise.all([byUser, byIp]));
    },
    async consumeByIp(bucket, ip) {
      return verdict([await counters[bucket].ip.spend(ip ?? 'unknown')]);
    },
  };
}

/**
 * The client's address: the socket's peer, or — behind `TRUST_PROXY_HOPS` proxies of your own — the address the
 * outermost of them saw (that many entries from the right of X-Forwarded-For; entries further left are the client's
 * to write, so never trusted).
 */
export function clientAddress(socketAddress: string | null, forwardedFor: string | null, trustedHops: number): string | null {
  if (trustedHops === 0 || !forwardedFor) return socketAddress;
  const hops = forwardedFor.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  return hops[hops.length - trustedHops] ?? hops[0] ?? socketAddress;
}
