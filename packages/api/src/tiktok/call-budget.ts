import type { Database } from '@reelpost/db';
import { RATE_LIMIT_WINDOW_MS, type RateLimitedEndpoint, TIKTOK_RATE_LIMITS_PER_MINUTE } from '@reelpost/tiktok';
import { type Kysely, sql } from 'kysely';

/**
 * TikTok's per-token limits (one-minute sliding window), shared by every process through Postgres. A call is
 * logged before it is made; while the window is full, callers are told how long to wait instead of being sent on
 * to collect a 429. Each budget is named as the call log stores it and spends the calls of these endpoints; the
 * numbers come from @reelpost/tiktok's table. A post makes one init of the three kinds, so they share one budget.
 */
const BUDGET_ENDPOINTS = {
  creator_info: ['creator_info.query'],
  init: ['video.init', 'inbox.video.init', 'content.init'],
  status: ['status.fetch'],
  user_info: ['user.info'],
} as const satisfies Record<string, readonly RateLimitedEndpoint[]>;

export type TikTokBudgetedEndpoint = keyof typeof BUDGET_ENDPOINTS;

/** A budget's calls per window: the strictest limit among the endpoints it spends. */
export function tikTokCallLimit(budget: TikTokBudgetedEndpoint): number {
  return Math.min(...BUDGET_ENDPOINTS[budget].map((endpoint) => TIKTOK_RATE_LIMITS_PER_MINUTE[endpoint]));
}

export type CallBudgetDecision = { granted: true } | { granted: false; retryAfterMs: number };

export interface CallBudgetOptions {
  /** The sliding window; TikTok's is one minute. Load tests shorten it together with the emulator's. */
  windowMs?: number;
  limit?: number;
}

/** One round trip: the database function `take_tiktok_call` (a migration) locks, prunes, counts and logs. */
export async function takeTikTokCall(
  db: Kysely<Database>,
  accountId: string,
  endpoint: TikTokBudgetedEndpoint,
  options: CallBudgetOptions = {},
): Promise<CallBudgetDecision> {
  const windowMs = options.windowMs ?? RATE_LIMIT_WINDOW_MS;
  const limit = options.limit ?? tikTokCallLimit(endpoint);
  const { rows } = await sql<{ wait_ms: string }>`
    SELECT take_tiktok_call(${accountId}::uuid, ${endpoint}, ${limit}::int, make_interval(secs => ${windowMs / 1000})) AS wait_ms
  `.execute(db);
  const waitMs = Number(rows[0]?.wait_ms ?? 0);
  return waitMs === 0 ? { granted: true } : { granted: false, retryAfterMs: waitMs };
}

/**
 * How long until a call would be granted (0: now), without taking one. A publish asks this before spending a
 * creator_info call on a post whose init could not go out yet; the decision itself stays with takeTikTokCall.
 */
export async function tikTokCallWait(
  db: Kysely<Database>,
  accountId: string,
  endpoint: TikTokBudgetedEndpoint,
  options: CallBudgetOptions = {},
): Promise<number> {
  const windowMs = options.windowMs ?? RATE_LIMIT_WINDOW_MS;
  const limit = options.limit ?? tikTokCallLimit(endpoint);
  const window = sql`make_interval(secs => ${windowMs / 1000})`;
  // The limit-th newest call in the window is the one that has to leave it before another may go.
  const { rows } = await sql<{ wait_ms: number | null }>`
    SELECT extract(epoch from (called_at + ${window} - clock_timestamp())) * 1000 AS wait_ms
    FROM tiktok_api_calls
    WHERE account_id = ${accountId} AND endpoint = ${endpoint} AND called_at > clock_timestamp() - ${window}
    ORDER BY called_at DESC
    OFFSET ${limit - 1} LIMIT 1
  `.execute(db);
  return Math.max(0, Math.ceil(Number(rows[0]?.wait_ms ?? 0)));
}
