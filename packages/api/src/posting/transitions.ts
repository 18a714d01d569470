import type { Database, PostStatus, TikTokPost } from '@reelpost/db';
import { tikTokPostUrl, tikTokProfileUrl } from '@reelpost/tiktok';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../deps.js';
import type { AppSettings } from '../settings.js';
import { removeJob } from '../jobs/queue.js';
import { statusJobKey } from './job-definitions.js';
import { mirrorLatestPostToTask } from './mirror.js';

/** What TikTok told us about a publish, by status poll or webhook; absent fields leave what we know. */
export interface TikTokUpdate {
  tiktokStatus?: string;
  failReason?: string | null;
  publicPostIds?: readonly string[];
  uploadedBytes?: number | null;
  downloadedBytes?: number | null;
}

/** Final as far as TikTok is concerned; only public post ids may still arrive. */
const SETTLED: readonly PostStatus[] = ['PUBLISHED', 'SENT_TO_INBOX', 'CANCELLED'];

/**
 * The post status TikTok's news leads to. Moves only forward: a settled post never goes back to processing, and
 * a failure we declared ourselves (UNKNOWN, a timeout) gives way to what TikTok later reports.
 */
export function nextStatus(current: TikTokPost, update: TikTokUpdate): PostStatus {
  const tiktok = update.tiktokStatus;
  const revivable = current.status === 'UNKNOWN' || (current.status === 'FAILED' && current.fail_reason === 'processing_timeout');
  if (SETTLED.includes(current.status) || (current.status === 'FAILED' && !revivable)) return current.status;
  switch (tiktok) {
    case 'PUBLISH_COMPLETE':
      return 'PUBLISHED';
    case 'SEND_TO_USER_INBOX':
      return 'SENT_TO_INBOX';
    case 'FAILED':
      return 'FAILED';
    case 'PROCESSING_UPLOAD':
    case 'PROCESSING_DOWNLOAD':
      return 'PROCESSING';
    default:
      return current.status;
  }
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

/** When to ask TikTok next: every couple of seconds at first, stretching to five minutes (the defaults). Null: stop asking. */
export function nextCheckAt(post: TikTokPost, status: PostStatus, postIds: readonly string[], now: Date, settings: AppSettings): Date | null {
  const since = post.initiated_at ?? post.created_at;
  const elapsed = now.getTime() - since.getTime();
  const waitingForPublicId = status === 'PUBLISHED' && post.privacy_level === 'PUBLIC_TO_EVERYONE' && postIds.length === 0;
  if (status === 'PROCESSING' || (waitingForPublicId && elapsed < settings.posting.moderationWatchMs)) {
    const { pollInitialMs, pollMaxMs } = settings.posting;
    const delay = Math.min(pollMaxMs, Math.max(pollInitialMs, Math.round(elapsed / 4)));
    return new Date(now.getTime() + delay);
  }
  return null;
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
    const status = nextStatus(current, update);
    // Should TikTok ever give several ids for one publish, the first is the post; the rest are kept too.
    const postIds = [...current.public_post_ids];
    for (const id of update.publicPostIds ?? []) if (!postIds.includes(id)) postIds.push(id);
    const settledNow = status !== current.status && status !== 'PROCESSING';
    const stored = await trx
      .updateTable('tiktok_posts')
      .set({
        status,
        tiktok_status: update.tiktokStatus ?? current.tiktok_status,
        fail_reason: status === 'FAILED' ? (update.failReason ?? current.fail_reason ?? 'internal') : status === current.status ? current.fail_reason : null,
        error_code: status === current.status ? current.error_code : null,
        public_post_ids: postIds,
        public_url: publicUrlOf({ status, privacy_level: current.privacy_level }, postIds, account),
        uploaded_bytes: update.uploadedBytes ?? current.uploaded_bytes,
        downloaded_bytes: update.downloadedBytes ?? current.downloaded_bytes,
        next_check_at: nextCheckAt(current, status, postIds, now, deps.settings),
        finished_at: settledNow ? now : current.finished_at,
        updated_at: now,
      })
      .where('id', '=', postId)
      .returningAll()
      .executeTakeFirstOrThrow();
    // Nothing left to ask TikTok (a webhook got here first): the pending poll would only find that out itself.
    if (stored.next_check_at === null && current.next_check_at !== null) await removeJob(trx, statusJobKey(postId));
    await mirrorLatestPostToTask(trx, current.task_id);
    return stored;
  };
  return db.isTransaction ? apply(db as Transaction<Database>) : db.transaction().execute(apply);
}
