import type { TikTokPost } from '@reelpost/db';
import type { TikTokPostInfo } from '@reelpost/tiktok';
import { needsReauthError } from '../accounts/access-token.js';
import { findOwnedAccount, queryCreatorInfo, resolveAccount } from '../accounts/service.js';
import { requireOwned } from '../auth/ownership.js';
import { appError } from '../errors.js';
import { removeJob } from '../jobs/queue.js';
import { extractVideoOutput } from '../tasks/video-output.js';
import type { Session } from '../trpc.js';
import { probeVideoUrl } from '../video/probe.js';
import { checkAgainstCreatorInfo } from './creator-checks.js';
import { derivedIdempotencyKey, postFingerprint } from './fingerprint.js';
import { publishJobKey } from './job-definitions.js';
import { mirrorLatestPostToTask } from './mirror.js';
import { type PostingDeps, publishPost } from './publish.js';
import { reservePost } from './reserve.js';
import type { PostInput, PostStatusView, PostTargetInput } from './schemas.js';
import { refreshPostStatus } from './status.js';
import { toPostStatusView } from './view.js';

const TASK_NOT_FOUND = { code: 'TASK_NOT_FOUND', what: 'task' } as const;

async function ownedTask(deps: PostingDeps, session: Session, taskId: string) {
  const task = await deps.db
    .selectFrom('instance_tasks as t')
    .innerJoin('instances as i', 'i.id', 't.instance_id')
    .select(['t.id', 't.status', 't.output_data', 't.instance_id', 'i.owner_id'])
    .where('t.id', '=', taskId)
    .executeTakeFirst();
  return requireOwned(task, session, TASK_NOT_FOUND);
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

function postInfoFor(input: PostInput, privacyLevel: PostInput['privacyLevel']): TikTokPostInfo {
  return {
    title: input.title,
    privacyLevel,
    disableComment: input.disableComment,
    disableDuet: input.disableDuet,
    disableStitch: input.disableStitch,
    ...(input.videoCoverTimestampMs !== undefined && { videoCoverTimestampMs: input.videoCoverTimestampMs }),
    brandContentToggle: input.brandContentToggle,
    brandOrganicToggle: input.brandOrganicToggle,
    isAigc: input.isAigc,
  };
}

/**
 * tiktok.post: the checks in their contract order — the task (exists, is the caller's, is completed, made a video),
 * the video URL (allowed and reachable), the account — then the exactly-once reservation, then (now, or at the
 * scheduled time) creator info and the init. Returns the post's status.
 */
export async function postTaskToTikTok(deps: PostingDeps, session: Session, input: PostInput): Promise<PostStatusView> {
  const task = await ownedTask(deps, session, input.taskId);
  if (task.status !== 'completed') {
    throw appError('TASK_NOT_COMPLETED', `The task is ${task.status}; only completed tasks can be posted.`, {
      hint: 'Wait for the task to complete, then post its video.',
    });
  }
  // extractVideoOutput only answers with outputs that are videos (declared so, or by key or extension).
  const video = extractVideoOutput(task.output_data);
  if (!video) {
    throw appError('NO_VIDEO_OUTPUT', 'This task did not produce a video to post.', {
      hint: 'Only tasks whose output is a video can be posted to TikTok.',
    });
  }
  const probe = await probeVideoUrl(video.url, deps.settings.video);

  const account = await resolveAccount(deps, session, { accountId: input.accountId, instanceId: task.instance_id });
  if (account.state !== 'active') throw needsReauthError();
  const scheduledAt = checkSchedule(deps, input.scheduledAt);

  // Sandbox (unaudited) apps may only post privately; the post says so rather than failing.
  const sandboxForcedPrivate = deps.settings.tiktok.sandboxMode && input.privacyLevel !== 'SELF_ONLY';
  const privacyLevel = deps.settings.tiktok.sandboxMode ? 'SELF_ONLY' : input.privacyLevel;
  const fingerprint = postFingerprint(input, account.id);
  const reservation = await reservePost(deps, {
    values: {
      task_id: task.id,
      account_id: account.id,
      requested_by: session.userId,
      idempotency_key: input.idempotencyKey ?? derivedIdempotencyKey(fingerprint),
      request_fingerprint: fingerprint,
      mode: input.mode,
      post_info: JSON.stringify(postInfoFor(input, privacyLevel)),
      // TikTok pulls exactly what the guard checked (normalised, redirects resolved).
      video_url: probe.finalUrl,
      privacy_level: privacyLevel,
      sandbox_forced_private: sandboxForcedPrivate,
    },
    scheduledAt,
    explicitKey: input.idempotencyKey !== undefined,
  });
  if (reservation.kind === 'existing') return toPostStatusView(reservation.post);

  if (scheduledAt) {
    // Check now what can be checked now, so a doomed schedule fails while the person is still here.
    try {
      const creator = await queryCreatorInfo(deps, account);
      checkAgainstCreatorInfo(
        { ...input, privacyLevel, videoDurationSeconds: video.durationSeconds },
        creator,
      );
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

async function findPost(deps: PostingDeps, session: Session, input: PostTargetInput): Promise<TikTokPost> {
  const task = await ownedTask(deps, session, input.taskId);
  // The account named is checked like every object: someone else's → 403, unknown → 404 ACCOUNT_NOT_FOUND.
  if (input.accountId) await findOwnedAccount(deps, session, input.accountId);
  let query = deps.db.selectFrom('tiktok_posts').selectAll().where('task_id', '=', task.id);
  if (input.accountId) query = query.where('account_id', '=', input.accountId);
  const post = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (!post) {
    throw appError('POST_NOT_FOUND', 'This task has not been posted to TikTok' + (input.accountId ? ' with that account.' : '.'), {
      hint: 'Post it first with tiktok.post.',
    });
  }
  return post;
}

/**
 * tiktok.status: the post's state, refreshed from TikTok when it is not final — coalesced across callers and
 * within TikTok's per-token budget; when TikTok cannot be asked right now, the last known state is the answer.
 */
export async function getPostStatus(deps: PostingDeps, session: Session, input: PostTargetInput): Promise<PostStatusView> {
  const post = await findPost(deps, session, input);
  // Not with TikTok yet, or final: there is nothing to ask TikTok, and the row just read is the answer.
  if (post.publish_id === null || post.next_check_at === null) return toPostStatusView(post);
  const refreshed = await refreshPostStatus(deps, post.id, deps.settings.posting.minStatusIntervalMs);
  return toPostStatusView(refreshed.post ?? post);
}

/** tiktok.cancel: a scheduled post that has not been sent is cancelled; anything already with TikTok cannot be. */
export async function cancelPost(deps: PostingDeps, session: Session, input: PostTargetInput): Promise<PostStatusView> {
  const post = await findPost(deps, session, input);
  const cancelled = await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('tiktok_posts')
      .set({ status: 'CANCELLED', finished_at: deps.clock.now(), updated_at: deps.clock.now() })
      .where('id', '=', post.id)
      .where('status', '=', 'SCHEDULED')
      .returningAll()
      .executeTakeFirst();
    if (row) {
      await removeJob(trx, publishJobKey(post.id));
      await mirrorLatestPostToTask(trx, post.task_id);
    }
    return row;
  });
  if (!cancelled) {
    throw appError('POST_NOT_CANCELLABLE', `This post is ${toPostStatusView(post).status.toLowerCase().replaceAll('_', ' ')} and can no longer be cancelled.`, {
      hint: 'Only scheduled posts can be cancelled. A post already sent to TikTok can be deleted in the TikTok app.',
    });
  }
  return toPostStatusView(cancelled);
}
