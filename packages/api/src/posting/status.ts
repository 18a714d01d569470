import type { Database, TikTokPost } from '@reelpost/db';
import { isTikTokError, type TikTokError } from '@reelpost/tiktok';
import { sql, type Transaction } from 'kysely';
import { getAccessToken } from '../accounts/access-token.js';
import { AppError } from '../errors.js';
import { takeTikTokCall } from '../tiktok/call-budget.js';
import type { PostingDeps } from './publish.js';
import { removeJob } from '../jobs/queue.js';
import { statusJobKey } from './job-definitions.js';
import { movePost } from './post-state.js';
import { applyTikTokUpdate } from './transitions.js';

export type StatusRefresh =
  | { kind: 'checked'; post: TikTokPost }
  /** Not asked: nothing to ask about, checked moments ago, or another caller is asking right now. */
  | { kind: 'cached'; post: TikTokPost | undefined }
  /** TikTok's per-token budget is spent for now; ask again after this. */
  | { kind: 'deferred'; post: TikTokPost; retryAfterMs: number }
  /** Asking failed (TikTok down, account needs reconnecting); the stored status stands. */
  | { kind: 'failed'; post: TikTokPost; error: unknown };

/**
 * Asks TikTok where a post stands, at most once per post at a time and not more often than `minIntervalMs`: the
 * claim is an UPDATE of last_checked_at, so concurrent callers (any process) coalesce into one call, and the
 * shared call budget keeps every token within TikTok's 30 status calls a minute.
 */
export async function refreshPostStatus(deps: PostingDeps, postId: string, minIntervalMs: number): Promise<StatusRefresh> {
  const interval = sql.lit(`${minIntervalMs} milliseconds`);
  const claimed = await deps.db
    .updateTable('tiktok_posts')
    .set({ last_checked_at: sql<Date>`now()` })
    .where('id', '=', postId)
    .where('publish_id', 'is not', null)
    .where('next_check_at', 'is not', null)
    .where((eb) => eb.or([eb('last_checked_at', 'is', null), eb('last_checked_at', '<', sql<Date>`now() - ${interval}::interval`)]))
    .returningAll()
    .executeTakeFirst();
  if (!claimed) {
    return { kind: 'cached', post: await deps.db.selectFrom('tiktok_posts').selectAll().where('id', '=', postId).executeTakeFirst() };
  }
  try {
    const { accessToken } = await getAccessToken(deps, claimed.account_id);
    const budget = await takeTikTokCall(deps.db, claimed.account_id, 'status', { windowMs: deps.settings.tiktok.rateLimitWindowMs });
    if (!budget.granted) return { kind: 'deferred', post: claimed, retryAfterMs: budget.retryAfterMs };
    const status = await deps.tiktok.fetchPostStatus(accessToken, claimed.publish_id!);
    const post = await applyTikTokUpdate(deps.db, deps, postId, {
      tiktokStatus: status.status,
      failReason: status.failReason ?? null,
      publicPostIds: status.publiclyAvailablePostIds,
      uploadedBytes: status.uploadedBytes ?? null,
      downloadedBytes: status.downloadedBytes ?? null,
    });
    return { kind: 'checked', post };
  } catch (error) {
    if (isTikTokError(error)) {
      const settled = await settleUnreadablePublish(deps, claimed, error);
      if (settled) return { kind: 'checked', post: settled };
    }
    if (error instanceof AppError || isTikTokError(error)) return { kind: 'failed', post: claimed, error };
    throw error;
  }
}

/**
 * TikTok's status/fetch refusing the publish_id itself settles what the post can still become:
 * - `invalid_publish_id` once the init is older than publishIdGraceMs: TikTok never received it, so nothing was
 *   published — FAILED (`not_received_by_tiktok`), and posting again is safe;
 * - `token_not_authorized_for_specified_publish_id`: this account's token may not read the post (it was sent as
 *   another TikTok user) — nothing more can be learnt by asking, so it is UNKNOWN (`status_not_authorized`) with
 *   its own hint; a webhook naming the publish_id still settles it.
 * Only a post still PROCESSING; anything else keeps what it knows. Returns the stored post, or undefined.
 */
async function settleUnreadablePublish(deps: PostingDeps, post: TikTokPost, error: TikTokError): Promise<TikTokPost | undefined> {
  const now = deps.clock.now();
  const sentAt = post.initiated_at ?? post.created_at;
  const recorded = { error_code: error.code, error_log_id: error.logId ?? null, next_check_at: null, updated_at: now };
  const removeStatusJob = { also: (trx: Transaction<Database>) => removeJob(trx, statusJobKey(post.id)) };
  if (error.code === 'invalid_publish_id' && now.getTime() - sentAt.getTime() >= deps.settings.posting.publishIdGraceMs) {
    return movePost(deps.db, post.id, 'notReceived', { ...recorded, fail_reason: 'not_received_by_tiktok', finished_at: now }, removeStatusJob);
  }
  if (error.code === 'token_not_authorized_for_specified_publish_id') {
    return movePost(deps.db, post.id, 'statusUnreadable', { ...recorded, fail_reason: 'status_not_authorized', finished_at: null }, removeStatusJob);
  }
  return undefined;
}

/** Gives up on a post TikTok has not finished processing by its deadline: a clear final state, not an endless wait. */
export async function expireOverdueProcessing(deps: PostingDeps, postId: string): Promise<TikTokPost | undefined> {
  const now = deps.clock.now();
  return movePost(
    deps.db,
    postId,
    'timeOut',
    { fail_reason: 'processing_timeout', next_check_at: null, finished_at: now, updated_at: now },
    { fence: (eb) => eb('check_deadline_at', '<', now) },
  );
}
