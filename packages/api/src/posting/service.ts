import type { TikTokPostInfo } from '@reelpost/tiktok';
import { findOwnedAccount } from '../accounts/service.js';
import { requireOwned } from '../auth/ownership.js';
import { appError } from '../errors.js';
import { removeJob } from '../jobs/queue.js';
import { extractVideoOutput } from '../tasks/video-output.js';
import type { Session } from '../trpc.js';
import { probeVideoUrl } from '../video/probe.js';
import { reserveAndPublish } from './dispatch.js';
import { postFingerprint } from './fingerprint.js';
import { attachedMediaOf, mediaTypeToPost, postPhotosToTikTok } from './photo-post.js';
import { publishJobKey } from './job-definitions.js';
import { movePost } from './post-state.js';
import type { PostingDeps } from './publish.js';
import type { PostInput, PostStatusView, PostTargetInput } from './schemas.js';
import { refreshPostStatus } from './status.js';
import { POST_READ_COLUMNS, type PostRead, readLatestPostOfTask } from './status-read.js';
import { toPostStatusView } from './view.js';

const TASK_NOT_FOUND = { code: 'TASK_NOT_FOUND', what: 'task' } as const;

async function ownedTask(deps: Pick<PostingDeps, 'db'>, session: Session, taskId: string) {
  const task = await deps.db
    .selectFrom('instance_tasks as t')
    .innerJoin('instances as i', 'i.id', 't.instance_id')
    .select(['t.id', 't.status', 't.output_data', 't.instance_id', 'i.owner_id'])
    .where('t.id', '=', taskId)
    .executeTakeFirst();
  return requireOwned(task, session, TASK_NOT_FOUND);
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
 * tiktok.post: the checks in their contract order — the task (exists, is the caller's, is completed, made a video;
 * a task of images goes to photo-post.ts), then dispatch.ts: the account, an earlier post of the task on it (a repeat
 * is answered before anything leaves the server), the video URL (allowed and reachable), the exactly-once
 * reservation, and (now, or at the scheduled time) creator info and the init. Returns the post's status.
 */
export async function postTaskToTikTok(deps: PostingDeps, session: Session, input: PostInput): Promise<PostStatusView> {
  const task = await ownedTask(deps, session, input.taskId);
  if (task.status !== 'completed') {
    throw appError('TASK_NOT_COMPLETED', `The task is ${task.status}; only completed tasks can be posted.`, {
      hint: 'Wait for the task to complete, then post its video.',
    });
  }
  // A task with a video posts it unless asked otherwise; only then are its attached images worth reading.
  const mayPostPhotos = input.mediaType === 'photo' || (input.mediaType === undefined && extractVideoOutput(task.output_data) === null);
  const media = mayPostPhotos ? await attachedMediaOf(deps, task.id) : [];
  if (mediaTypeToPost(task.output_data, media, input) === 'photo') return postPhotosToTikTok(deps, session, input, task, media);
  // extractVideoOutput only answers with outputs that are videos (declared so, or by key or extension).
  const video = extractVideoOutput(task.output_data);
  if (!video) {
    throw appError('NO_VIDEO_OUTPUT', 'This task did not produce a video to post.', {
      hint: 'Only tasks whose output is a video (or JPEG/WebP images, as a photo post) can be posted to TikTok.',
    });
  }
  return reserveAndPublish(deps, session, input, task, {
    // TikTok pulls exactly what the guard checked (normalised, redirects resolved).
    checkedColumns: async () => ({ video_url: (await probeVideoUrl(video.url, deps.settings.video)).finalUrl }),
    postInfo: (privacyLevel) => ({ ...postInfoFor(input, privacyLevel) }),
    fingerprint: (accountId) => postFingerprint(input, accountId),
    videoDurationSeconds: video.durationSeconds,
  });
}

function noPostYet(accountId: string | undefined) {
  return appError('POST_NOT_FOUND', 'This task has not been posted to TikTok' + (accountId ? ' with that account.' : '.'), {
    hint: 'Post it first with tiktok.post.',
  });
}

/**
 * The task's latest post (on the account named, if one is): the task checked like every object first. tiktok.status,
 * tiktok.cancel and tiktok.watch all answer for this post, refused the same way.
 */
export async function findPost(deps: Pick<PostingDeps, 'db'>, session: Session, input: PostTargetInput): Promise<PostRead> {
  if (!input.accountId) {
    // The usual call, polled while a post is in flight: the task's owner and its latest post in one statement.
    const { post } = requireOwned(await readLatestPostOfTask(deps.db, input.taskId), session, TASK_NOT_FOUND);
    if (!post) throw noPostYet(undefined);
    return post;
  }
  const task = await ownedTask(deps, session, input.taskId);
  // The account named is checked like every object: someone else's → 403, unknown → 404 ACCOUNT_NOT_FOUND.
  await findOwnedAccount(deps, session, input.accountId);
  const post = await deps.db
    .selectFrom('tiktok_posts')
    .select(POST_READ_COLUMNS)
    .where('task_id', '=', task.id)
    .where('account_id', '=', input.accountId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!post) throw noPostYet(input.accountId);
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
  const cancelled = await movePost(
    deps.db,
    post.id,
    'cancel',
    { finished_at: deps.clock.now(), updated_at: deps.clock.now() },
    { also: (trx) => removeJob(trx, publishJobKey(post.id)) },
  );
  if (!cancelled) {
    throw appError('POST_NOT_CANCELLABLE', `This post is ${toPostStatusView(post).status.toLowerCase().replaceAll('_', ' ')} and can no longer be cancelled.`, {
      hint: 'Only scheduled posts can be cancelled. A post already sent to TikTok can be deleted in the TikTok app.',
    });
  }
  return toPostStatusView(cancelled);
}
