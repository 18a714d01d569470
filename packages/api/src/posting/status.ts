import type { TikTokPost } from '@reelpost/db';
import { isTikTokError } from '@reelpost/tiktok';
import { sql } from 'kysely';
import { getAccessToken } from '../accounts/access-token.js';
import { AppError } from '../errors.js';
import { takeTikTokCall } from '../tiktok/call-budget.js';
import type { PostingDeps } from './publish.js';
import { mirrorLatestPostToTask } from './mirror.js';
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
    if (error instanceof AppError || isTikTokError(error)) return { kind: 'failed', post: claimed, error };
    throw error;
  }
}

/** Gives up on a post TikTok has not finished processing by its deadline: a clear final state, not an endless wait. */
export async function expireOverdueProcessing(deps: PostingDeps, postId: string): Promise<TikTokPost | undefined> {
  return deps.db.transaction().execute(async (trx) => {
    const expired = await trx
      .updateTable('tiktok_posts')
      .set({
        status: 'FAILED',
        fail_reason: 'processing_timeout',
        next_check_at: null,
        finished_at: deps.clock.now(),
        updated_at: deps.clock.now(),
      })
      .where('id', '=', postId)
      .where('status', '=', 'PROCESSING')
      .where('check_deadline_at', '<', deps.clock.now())
      .returningAll()
      .executeTakeFirst();
    if (expired) await mirrorLatestPostToTask(trx, expired.task_id);
    return expired;
  });
}
