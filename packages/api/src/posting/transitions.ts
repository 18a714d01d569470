import type { Database, PostStatus, TikTokPost, TikTokPostUpdate } from '@reelpost/db';
import { tikTokPostUrl, tikTokProfileUrl } from '@reelpost/tiktok';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../deps.js';
import type { AppSettings } from '../settings.js';
import { removeJob } from '../jobs/queue.js';
import { statusJobKey } from './job-definitions.js';
import { mirrorLatestPostToTask } from './mirror.js';
import { mayMove, POST_MOVES, TIKTOK_MOVES, type TikTokMoveName } from './post-moves.js';
import { movePost } from './post-state.js';

/** What TikTok told us about a publish, by status poll or webhook; absent fields leave what we know. */
export interface TikTokUpdate {
  tiktokStatus?: string;
  failReason?: string | null;
  publicPostIds?: readonly string[];
  uploadedBytes?: number | null;
  downloadedBytes?: number | null;
  /** TikTok no longer shows the published post publicly (taken down, or made private). */
  takenDown?: boolean;
}

/** TikTok's publish statuses, as the post status each reports. */
const REPORTED_STATUS = new Map<string, keyof typeof TIKTOK_MOVES>([
  ['PUBLISH_COMPLETE', 'PUBLISHED'],
  ['SEND_TO_USER_INBOX', 'SENT_TO_INBOX'],
  ['FAILED', 'FAILED'],
  ['PROCESSING_UPLOAD', 'PROCESSING'],
  ['PROCESSING_DOWNLOAD', 'PROCESSING'],
]);

/**
 * The move TikTok's news makes the post take, if the table allows it from where the post stands: moves only go
 * forward — a settled post never goes back to processing, a draft in the inbox never goes back to processing
 * either, and a failure we declared ourselves (UNKNOWN, a timeout) gives way to what TikTok later reports.
 * SENT_TO_INBOX is not final: the creator may still post the draft (→ PUBLISHED), or TikTok may report it failed.
 */
export function tiktokMoveFor(current: Pick<TikTokPost, 'status' | 'fail_reason'>, update: TikTokUpdate): TikTokMoveName | undefined {
  const reported = update.tiktokStatus === undefined ? undefined : REPORTED_STATUS.get(update.tiktokStatus);
  if (reported === undefined) return undefined;
  const move = TIKTOK_MOVES[reported];
  return mayMove(move, current) ? move : undefined;
}

export interface AccountName {
  username: string | null;
}

export function publicUrlOf(post: Pick<TikTokPost, 'privacy_level' | 'status'>, postIds: readonly string[], account: AccountName): string | null {
  if (!account.username) return null;
  const [first] = postIds;
  if (first) return tikTokPostUrl(account.username, first);
  // Private posts never get a public id: the profile is the place to look.
  if (post.status === 'PUBLISHED' && post.privacy_level !== 'PUBLIC_TO_EVERYONE') return tikTokProfileUrl(account.username);
  return null;
}

/**
 * When to ask TikTok next: every couple of seconds at first, stretching to five minutes (the defaults); a draft in
 * the creator's inbox from five minutes stretching to hours, for as long as it is watched (webhooks usually bring
 * the creator's post first). Null: stop asking.
 */
export function nextCheckAt(post: TikTokPost, status: PostStatus, postIds: readonly string[], now: Date, settings: AppSettings): Date | null {
  const since = post.initiated_at ?? post.created_at;
  const elapsed = now.getTime() - since.getTime();
  const { pollInitialMs, pollMaxMs, inboxPollMaxMs, inboxWatchMs, moderationWatchMs } = settings.posting;
  const waitingForPublicId = status === 'PUBLISHED' && post.privacy_level === 'PUBLIC_TO_EVERYONE' && postIds.length === 0;
  if (status === 'PROCESSING' || (waitingForPublicId && elapsed < moderationWatchMs)) {
    const delay = Math.min(pollMaxMs, Math.max(pollInitialMs, Math.round(elapsed / 4)));
    return new Date(now.getTime() + delay);
  }
  if (status === 'SENT_TO_INBOX' && elapsed < inboxWatchMs) {
    const delay = Math.min(inboxPollMaxMs, Math.max(pollMaxMs, Math.round(elapsed / 4)));
    return new Date(now.getTime() + delay);
  }
  return null;
}

/** News that leaves the status as it is (public ids, bytes, a take-down): the post's other columns, and its task. */
async function recordNews(trx: Transaction<Database>, current: TikTokPost, values: Omit<TikTokPostUpdate, 'status'>): Promise<TikTokPost> {
  const stored = await trx.updateTable('tiktok_posts').set(values).where('id', '=', current.id).returningAll().executeTakeFirstOrThrow();
  await mirrorLatestPostToTask(trx, current.task_id);
  return stored;
}

/**
 * Applies TikTok's news to the post, under a row lock so a poll and a webhook arriving together are applied one
 * after the other; mirrors the result into the task. Returns the stored post.
 */
export async function applyTikTokUpdate(
  db: Kysely<Database> | Transaction<Database>,
  deps: { clock: Clock; settings: AppSettings },
  postId: string,
  update: TikTokUpdate,
): Promise<TikTokPost> {
  const apply = async (trx: Transaction<Database>) => {
    const current = await trx.selectFrom('tiktok_posts').selectAll().where('id', '=', postId).forUpdate().executeTakeFirstOrThrow();
    const account = await trx.selectFrom('instance_tiktok_credentials').select('username').where('id', '=', current.account_id).executeTakeFirstOrThrow();
    const now = deps.clock.now();
    const move = tiktokMoveFor(current, update);
    const status = move === undefined ? current.status : POST_MOVES[move].to;
    // Should TikTok ever give several ids for one publish, the first is the post; the rest are kept too.
    const postIds = [...current.public_post_ids];
    for (const id of update.publicPostIds ?? []) if (!postIds.includes(id)) postIds.push(id);
    const settledNow = status !== current.status && status !== 'PROCESSING';
    const values = {
      tiktok_status: update.tiktokStatus ?? current.tiktok_status,
      fail_reason: status === 'FAILED' ? (update.failReason ?? current.fail_reason ?? 'internal') : status === current.status ? current.fail_reason : null,
      error_code: status === current.status ? current.error_code : null,
      public_post_ids: postIds,
      public_url: publicUrlOf({ status, privacy_level: current.privacy_level }, postIds, account),
      uploaded_bytes: update.uploadedBytes ?? current.uploaded_bytes,
      downloaded_bytes: update.downloadedBytes ?? current.downloaded_bytes,
      next_check_at: nextCheckAt(current, status, postIds, now, deps.settings),
      finished_at: settledNow ? now : current.finished_at,
      // Kept from the first time TikTok said so; a published post taken down stays PUBLISHED (the view says so).
      taken_down_at: update.takenDown && status === 'PUBLISHED' ? (current.taken_down_at ?? now) : current.taken_down_at,
      updated_at: now,
    };
    const stored = move === undefined ? await recordNews(trx, current, values) : await movePost(trx, postId, move, values);
    // Under the row lock, the move was chosen from the post as it stands: the guard cannot refuse it.
    if (!stored) throw new Error(`post ${postId} could not make the move ${move} from ${current.status}`);
    // Nothing left to ask TikTok (a webhook got here first): the pending poll would only find that out itself.
    if (stored.next_check_at === null && current.next_check_at !== null) await removeJob(trx, statusJobKey(postId));
    return stored;
  };
  return db.isTransaction ? apply(db as Transaction<Database>) : db.transaction().execute(apply);
}
