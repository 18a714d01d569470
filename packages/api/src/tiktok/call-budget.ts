import type { Database } from '@reelpost/db';
import { type Kysely, sql } from 'kysely';

/**
 * TikTok's per-token limits (one-minute sliding window), shared by every process through Postgres. A call is
 * logged before it is made; while the window is full, callers are told how long to wait instead of being sent on
 * to collect a 429.
 */
export const TIKTOK_CALL_LIMITS = {
  creator_info: 20,
  init: 6,
  status: 30,
  user_info: 600,
} as const;

export type TikTokBudgetedEndpoint = keyof typeof TIKTOK_CALL_LIMITS;

export type CallBudgetDecision = { granted: true } | { granted: false; retryAfterMs: number };

export interface CallBudgetOptions {
  /** The sliding window; TikTok's is one minute. Load tests shorten it together with the emulator's. */
  windowMs?: number;
  limit?: number;
}

export async function takeTikTokCall(
  db: Kysely<Database>,
  accountId: string,
  endpoint: TikTokBudgetedEndpoint,
  options: CallBudgetOptions = {},
): Promise<CallBudgetDecision> {
  const windowMs = options.windowMs ?? 60_000;
  const limit = options.limit ?? TIKTOK_CALL_LIMITS[endpoint];
  const window = sql`make_interval(secs => ${windowMs / 1000})`;
  return db.transaction().execute(async (trx) => {
    // One decision at a time per token and endpoint, across processes; the lock ends with the transaction.
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${accountId}:${endpoint}`}, 0))`.execute(trx);
    await trx
      .deleteFrom('tiktok_api_calls')
      .where('account_id', '=', accountId)
      .where('endpoint', '=', endpoint)
      .where('called_at', '<=', sql<Date>`clock_timestamp() - ${window}`)
      .execute();
    const { count, oldest } = await trx
      .selectFrom('tiktok_api_calls')
      .where('account_id', '=', accountId)
      .where('endpoint', '=', endpoint)
      .select([
        sql<number>`count(*)::int`.as('count'),
        sql<number | null>`extract(epoch from (min(called_at) + ${window} - clock_timestamp())) * 1000`.as('oldest'),
      ])
      .executeTakeFirstOrThrow();
    if (count >= limit) return { granted: false, retryAfterMs: Math.max(1, Math.ceil(Number(oldest ?? windowMs))) };
    await trx
      .insertInto('tiktok_api_calls')
      .values({ account_id: accountId, endpoint, called_at: sql<Date>`clock_timestamp()` })
      .execute();
    return { granted: true };
  });
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
  const windowMs = options.windowMs ?? 60_000;
  const limit = options.limit ?? TIKTOK_CALL_LIMITS[endpoint];
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
