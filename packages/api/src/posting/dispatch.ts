import type { NewTikTokPost } from '@reelpost/db';
import { needsReauthError } from '../accounts/access-token.js';
import { queryCreatorInfo, resolveAccount } from '../accounts/service.js';
import type { Session } from '../trpc.js';
import { appError } from '../errors.js';
import { removeJob } from '../jobs/queue.js';
import { checkAgainstCreatorInfo } from './creator-checks.js';
import { derivedIdempotencyKey } from './fingerprint.js';
import { publishJobKey } from './job-definitions.js';
import { mirrorLatestPostToTask } from './mirror.js';
import { type PostingDeps, publishPost } from './publish.js';
import { answerForEarlierPost, reservePost } from './reserve.js';
import type { PostInput, PostStatusView } from './schemas.js';
import { toPostStatusView } from './view.js';

// What every post goes through once its media is described, video and photo alike: the account, an earlier post of
// the task on it (a repeat is answered here, before anything leaves the server), the schedule, the media URLs' check
// (the only outbound fetch before TikTok), the sandbox's privacy, the exactly-once reservation, and then (now, or at
// the scheduled time) creator info and the init.

/** What differs between a video and a photo post by the time it is reserved. */
export interface PostMedia {
  /**
   * Checks the media URLs (allowed and reachable: an outbound fetch) and returns the columns naming what is posted:
   * `video_url`, or `media_type` PHOTO with `photo_urls`. Called only once the request is known not to be a repeat.
   */
  checkedColumns(): Promise<Pick<NewTikTokPost, 'video_url' | 'media_type' | 'photo_urls'>>;
  /** The post_info stored on the row and sent at the init, with the privacy level actually used. */
  postInfo(privacyLevel: PostInput['privacyLevel']): Record<string, unknown>;
  /** The request's fingerprint for this account (see fingerprint.ts). */
  fingerprint(accountId: string): string;
  videoDurationSeconds: number | null;
}

interface PostableTask {
  id: string;
  instance_id: string;
}

function checkSchedule(deps: PostingDeps, scheduledAt: Date | undefined): Date | null {
  if (!scheduledAt) return null;
  const now = deps.clock.now().getTime();
  if (scheduledAt.getTime() <= now) {
    throw appError('SCHEDULE_IN_PAST', 'The scheduled time has already passed.', {
      hint: 'Choose a time in the future, or leave scheduledAt out to post now.',
    });
  }
  const max = deps.settings.posting.maxScheduleAheadMs;
  if (scheduledAt.getTime() - now > max) {
    throw appError('SCHEDULE_TOO_FAR', `Posts can be scheduled at most ${Math.round(max / 86_400_000)} days ahead.`, {
      hint: 'Choose an earlier time.',
    });
  }
  return scheduledAt;
}

export async function reserveAndPublish(
  deps: PostingDeps,
  session: Session,
  input: PostInput,
  task: PostableTask,
  media: PostMedia,
): Promise<PostStatusView> {
  const account = await resolveAccount(deps, session, { accountId: input.accountId, instanceId: task.instance_id });
  if (account.state !== 'active') throw needsReauthError();
  const fingerprint = media.fingerprint(account.id);
  const identity = { idempotencyKey: input.idempotencyKey ?? derivedIdempotencyKey(fingerprint), fingerprint, explicitKey: input.idempotencyKey !== undefined };
  // A repeat (double click, retry) is answered from the database: fetching the media URLs again for every repeat made
  // each one an outbound request anyone could multiply. The reservation decides again under its lock.
  const earlier = await deps.db.selectFrom('tiktok_posts').selectAll().where('task_id', '=', task.id).where('account_id', '=', account.id).executeTakeFirst();
  const answer = earlier ? answerForEarlierPost(earlier, identity) : null;
  if (answer) return toPostStatusView(answer);

  const scheduledAt = checkSchedule(deps, input.scheduledAt);
  const columns = await media.checkedColumns();
  // Sandbox (unaudited) apps may only post privately; the post says so rather than failing.
  const sandboxForcedPrivate = deps.settings.tiktok.sandboxMode && input.privacyLevel !== 'SELF_ONLY';
  const privacyLevel = deps.settings.tiktok.sandboxMode ? 'SELF_ONLY' : input.privacyLevel;
  const reservation = await reservePost(deps, {
    values: {
      task_id: task.id,
      account_id: account.id,
      requested_by: session.userId,
      idempotency_key: identity.idempotencyKey,
      request_fingerprint: fingerprint,
      mode: input.mode,
      post_info: JSON.stringify(media.postInfo(privacyLevel)),
      ...columns,
      privacy_level: privacyLevel,
      sandbox_forced_private: sandboxForcedPrivate,
    },
    scheduledAt,
    explicitKey: identity.explicitKey,
  });
  if (reservation.kind === 'existing') return toPostStatusView(reservation.post);

  if (scheduledAt) {
    // Check now what can be checked now, so a doomed schedule fails while the person is still here.
    try {
      const creator = await queryCreatorInfo(deps, account);
      checkAgainstCreatorInfo({ ...input, privacyLevel, videoDurationSeconds: media.videoDurationSeconds }, creator);
    } catch (error) {
      await deps.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('tiktok_posts').where('id', '=', reservation.post.id).execute();
        await removeJob(trx, publishJobKey(reservation.post.id));
        await mirrorLatestPostToTask(trx, task.id);
      });
      throw error;
    }
    return toPostStatusView(reservation.post);
  }

  const outcome = await publishPost(deps, reservation.post.id, 'request');
  const post = outcome.post ?? reservation.post;
  return toPostStatusView(post);
}

/** A video post's URL; the schema's check guarantees one on every VIDEO row (photo posts have none). */
export function videoUrlOf(post: { id: string; video_url: string | null }): string {
  if (post.video_url === null) throw new Error(`post ${post.id} has no video URL (a photo post)`);
  return post.video_url;
}
