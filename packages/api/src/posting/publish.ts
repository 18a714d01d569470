import type { TikTokPost } from '@reelpost/db';
import { isTikTokError, type TikTokError, type TikTokPostInfo } from '@reelpost/tiktok';
import { sql } from 'kysely';
import { getAccessToken } from '../accounts/access-token.js';
import { queryCreatorInfo, requireTikTokCallBudget, spendTikTokCall } from '../accounts/service.js';
import type { AccountRow } from '../accounts/views.js';
import { ACCOUNT_COLUMNS } from '../accounts/views.js';
import type { AppDeps } from '../deps.js';
import { AppError, appError } from '../errors.js';
import { enqueueJob } from '../jobs/queue.js';
import { extractVideoOutput } from '../tasks/video-output.js';
import { tikTokAppError } from '../tiktok/errors.js';
import { probeVideoUrl } from '../video/probe.js';
import { checkAgainstCreatorInfo } from './creator-checks.js';
import { videoUrlOf } from './dispatch.js';
import { writeDurably } from './durable-write.js';
import { checkPostStatusJob, statusJobKey, uploadPostJob, uploadJobKey } from './job-definitions.js';
import { mirrorLatestPostToTask } from './mirror.js';
import { photoInitInput } from './photo-post.js';
import { movePost } from './post-state.js';

export type PostingDeps = Pick<AppDeps, 'db' | 'clock' | 'tiktok' | 'tokens' | 'settings'>;

/**
 * Who asked: a person waiting on the request (errors go back to them and a refused post leaves no trace), or a job
 * (a scheduled post firing, a sweep finishing an orphaned one), where the outcome is recorded on the post.
 */
export type PublishCaller = 'request' | 'job';

export type PublishOutcome =
  /** This attempt is over; the post says how (PROCESSING, FAILED, UNKNOWN). */
  | { kind: 'done'; post: TikTokPost }
  /** Another worker holds the post, or it is no longer waiting to be sent. */
  | { kind: 'skipped'; post: TikTokPost | undefined }
  /** Nothing reached TikTok and it is worth trying again later (jobs only). */
  | { kind: 'retry_later'; afterMs: number; post: TikTokPost };

/** The AppErrors after which the same post may succeed later, unchanged. */
const TRANSIENT = new Set(['RATE_LIMITED', 'TIKTOK_UNAVAILABLE', 'VIDEO_URL_UNREACHABLE']);

function postInfoOf(post: TikTokPost): TikTokPostInfo {
  return post.post_info as unknown as TikTokPostInfo;
}

async function claim(deps: PostingDeps, postId: string): Promise<TikTokPost | undefined> {
  return deps.db
    .updateTable('tiktok_posts')
    .set({
      lease_until: sql<Date>`now() + ${sql.lit(`${deps.settings.posting.leaseMs} milliseconds`)}::interval`,
      attempts: sql<number>`attempts + 1`,
      updated_at: deps.clock.now(),
    })
    .where('id', '=', postId)
    .where('status', '=', 'RESERVED')
    .where('initiated_at', 'is', null)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
}

async function loadAccount(deps: PostingDeps, accountId: string): Promise<AccountRow> {
  return deps.db.selectFrom('instance_tiktok_credentials').select(ACCOUNT_COLUMNS).where('id', '=', accountId).executeTakeFirstOrThrow();
}

async function videoDurationOf(deps: PostingDeps, taskId: string): Promise<number | null> {
  const task = await deps.db.selectFrom('instance_tasks').select('output_data').where('id', '=', taskId).executeTakeFirst();
  return extractVideoOutput(task?.output_data)?.durationSeconds ?? null;
}

/** A refusal before anything reached TikTok: a request's reservation disappears, a job's post records why. */
async function refuse(deps: PostingDeps, post: TikTokPost, caller: PublishCaller, error: unknown): Promise<PublishOutcome> {
  // Fenced by the claim: a worker whose lease ran out and was taken over releases nothing of the newer claim's.
  const release = () =>
    deps.db
      .updateTable('tiktok_posts')
      .set({ lease_until: null, initiated_at: null, updated_at: deps.clock.now() })
      .where('id', '=', post.id)
      .where('attempts', '=', post.attempts)
      .execute();
  if (!(error instanceof AppError)) {
    // Our own failure (the database, a bug): nothing reached TikTok; let the job retry or the request report it.
    await release();
    throw error;
  }
  const appCode = error.appCode;
  if (caller === 'job' && TRANSIENT.has(appCode)) {
    await release();
    return { kind: 'retry_later', afterMs: error.cause.extra.retryAfterMs ?? 30_000, post };
  }
  if (caller === 'job') {
    // Under the claim only: a newer claim may have sent the post meanwhile, and its outcome is not ours to overwrite.
    const failed = await movePost(deps.db, post.id, 'refuse', failedValues(deps, { reason: appCode.toLowerCase(), code: appCode }), {
      fence: (eb) => eb.and([eb('attempts', '=', post.attempts), eb('initiated_at', 'is', null)]),
    });
    return failed ? { kind: 'done', post: failed } : { kind: 'skipped', post: undefined };
  }
  // A person is waiting: the refusal is theirs to read, and a post TikTok never saw leaves no trace.
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('tiktok_posts').where('id', '=', post.id).where('attempts', '=', post.attempts).execute();
    await mirrorLatestPostToTask(trx, post.task_id);
  });
  throw error;
}

/**
 * Marks the point of no return: from here the post may exist at TikTok, so it is never sent again by itself.
 * Fenced by the claim (`attempts` counts claims): a worker that stalled past its lease while another claimed the
 * post and sent it finds nothing to mark, and must not send — false.
 */
async function markInitiated(deps: PostingDeps, post: TikTokPost): Promise<boolean> {
  const marked = await deps.db
    .updateTable('tiktok_posts')
    .set({ initiated_at: deps.clock.now(), updated_at: deps.clock.now() })
    .where('id', '=', post.id)
    .where('attempts', '=', post.attempts)
    .where('status', '=', 'RESERVED')
    .where('initiated_at', 'is', null)
    .executeTakeFirst();
  return marked.numUpdatedRows > 0n;
}

/**
 * Records what TikTok did, waiting out a database that is away for as long as the claim lasts. The post as stored:
 * moved, or as another writer left it when the move's guard refused (the sweep, or a webhook, got there first).
 */
async function recordMove(deps: PostingDeps, post: TikTokPost, move: () => Promise<TikTokPost | undefined>): Promise<TikTokPost> {
  const moved = await writeDurably(move, { giveUpAfterMs: deps.settings.posting.leaseMs });
  return moved ?? deps.db.selectFrom('tiktok_posts').selectAll().where('id', '=', post.id).executeTakeFirstOrThrow();
}

async function recordAccepted(
  deps: PostingDeps,
  post: TikTokPost,
  accepted: { publishId: string; source: 'PULL_FROM_URL' | 'FILE_UPLOAD'; uploadUrl?: string; chunkSize?: number; videoSize?: number },
): Promise<TikTokPost> {
  const now = deps.clock.now();
  const nextCheckAt = new Date(now.getTime() + deps.settings.posting.pollInitialMs);
  return recordMove(deps, post, () => movePost(
    deps.db,
    post.id,
    'accept',
    {
      publish_id: accepted.publishId,
      source: accepted.source,
      tiktok_status: accepted.source === 'PULL_FROM_URL' ? 'PROCESSING_DOWNLOAD' : 'PROCESSING_UPLOAD',
      lease_until: null,
      next_check_at: nextCheckAt,
      check_deadline_at: new Date(now.getTime() + deps.settings.posting.processingDeadlineMs),
      upload_url_encrypted: accepted.uploadUrl ? deps.tokens.encrypt(accepted.uploadUrl) : null,
      upload_chunk_size: accepted.chunkSize ?? null,
      video_size_bytes: accepted.videoSize ?? null,
      updated_at: now,
    },
    {
      also: async (trx) => {
        await trx.updateTable('instance_tiktok_credentials').set({ last_used_at: now }).where('id', '=', post.account_id).execute();
        await enqueueJob(trx, checkPostStatusJob, { postId: post.id }, { runAt: nextCheckAt, jobKey: statusJobKey(post.id) });
        if (accepted.source === 'FILE_UPLOAD') await enqueueJob(trx, uploadPostJob, { postId: post.id }, { jobKey: uploadJobKey(post.id) });
      },
    },
  ));
}

/** A post that failed before or at the init: nothing reached TikTok or TikTok refused it. */
interface Failure {
  reason: string;
  code: string | null;
  logId?: string | undefined;
}

function failedValues(deps: PostingDeps, failure: Failure) {
  return {
    fail_reason: failure.reason,
    error_code: failure.code,
    error_log_id: failure.logId ?? null,
    lease_until: null,
    finished_at: deps.clock.now(),
    updated_at: deps.clock.now(),
  };
}

function recordFailed(deps: PostingDeps, post: TikTokPost, failure: Failure) {
  return recordMove(deps, post, () => movePost(deps.db, post.id, 'refuse', failedValues(deps, failure)));
}

/** The init may have reached TikTok: the post is UNKNOWN, never sent again by itself; a request is told plainly. */
async function settleOutcomeUnknown(deps: PostingDeps, post: TikTokPost, caller: PublishCaller, error: TikTokError): Promise<PublishOutcome> {
  const stored = await recordMove(deps, post, () =>
    movePost(deps.db, post.id, 'loseAnswer', {
      fail_reason: 'outcome_unknown',
      error_code: error.code,
      error_log_id: error.logId ?? null,
      lease_until: null,
      updated_at: deps.clock.now(),
    }),
  );
  if (caller === 'request') throw outcomeUnknownError(error);
  return { kind: 'done', post: stored };
}

function outcomeUnknownError(error: TikTokError): AppError {
  return appError('POST_OUTCOME_UNKNOWN', 'We sent the post to TikTok but could not confirm that it arrived.', {
    hint: 'Check the TikTok profile before posting again. To try again anyway, post with a new idempotencyKey.',
    tiktok: { code: error.code, logId: error.logId ?? null },
  });
}

/** The init for this post: its video from its URL (or by upload, given `source`), or its images (content/init). */
async function init(deps: PostingDeps, accessToken: string, post: TikTokPost, source?: Parameters<AppDeps['tiktok']['initDirectPost']>[1]['source']) {
  if (post.media_type === 'PHOTO') return deps.tiktok.initPhotoPost(accessToken, photoInitInput(post));
  const video = source ?? { source: 'PULL_FROM_URL' as const, videoUrl: videoUrlOf(post) };
  return post.mode === 'inbox'
    ? deps.tiktok.initInboxUpload(accessToken, { source: video })
    : deps.tiktok.initDirectPost(accessToken, { postInfo: postInfoOf(post), source: video });
}

/**
 * Steps 6–8 of posting, for a reserved post: a fresh token and creator info (can this creator post this, now?),
 * then the init — PULL_FROM_URL, falling back to FILE_UPLOAD when TikTok has not verified the URL's domain — and
 * the publish_id stored the moment it is known. The post is claimed first (a lease), so one worker sends it; an
 * init that may have reached TikTok is never sent again.
 */
export async function publishPost(deps: PostingDeps, postId: string, caller: PublishCaller): Promise<PublishOutcome> {
  const post = await claim(deps, postId);
  if (!post) {
    return { kind: 'skipped', post: await deps.db.selectFrom('tiktok_posts').selectAll().where('id', '=', postId).executeTakeFirst() };
  }
  let accessToken: string;
  try {
    // Inits (6 a minute) are scarcer than creator_info calls (20): a post that cannot be sent yet spends neither.
    await requireTikTokCallBudget(deps, post.account_id, 'init');
    const account = await loadAccount(deps, post.account_id);
    const creator = await queryCreatorInfo(deps, account);
    const info = postInfoOf(post);
    checkAgainstCreatorInfo(
      {
        privacyLevel: post.privacy_level,
        // Interactions are off unless the post allowed them (the schema's default).
        disableComment: info.disableComment ?? true,
        disableDuet: info.disableDuet ?? true,
        disableStitch: info.disableStitch ?? true,
        brandContentToggle: info.brandContentToggle ?? false,
        videoDurationSeconds: post.media_type === 'VIDEO' ? await videoDurationOf(deps, post.task_id) : null,
      },
      creator,
    );
    accessToken = (await getAccessToken(deps, post.account_id)).accessToken;
    await spendTikTokCall(deps, post.account_id, 'init');
  } catch (error) {
    return refuse(deps, post, caller, error);
  }

  if (!(await markInitiated(deps, post))) {
    return { kind: 'skipped', post: await deps.db.selectFrom('tiktok_posts').selectAll().where('id', '=', postId).executeTakeFirst() };
  }
  try {
    const accepted = await init(deps, accessToken, post);
    return { kind: 'done', post: await recordAccepted(deps, post, { publishId: accepted.publishId, source: 'PULL_FROM_URL' }) };
  } catch (error) {
    if (!isTikTokError(error)) throw error;
    if (error.outcomeUnknown) return settleOutcomeUnknown(deps, post, caller, error);
    // Images cannot be uploaded instead: TikTok pulls photo posts from URLs only.
    if (error.code === 'url_ownership_unverified' && post.media_type === 'VIDEO') return uploadInstead(deps, post, accessToken, caller);
    return failOnTikTokRefusal(deps, post, caller, error);
  }
}

/** TikTok said no in a way that created nothing: a passing refusal (a 429) is tried again, the rest fail the post. */
async function failOnTikTokRefusal(deps: PostingDeps, post: TikTokPost, caller: PublishCaller, error: TikTokError): Promise<PublishOutcome> {
  if (error.retryable) return refuse(deps, post, caller, tikTokAppError(error));
  const stored = await recordFailed(deps, post, { reason: error.code, code: error.code, logId: error.logId });
  if (caller === 'request') throw tikTokAppError(error);
  return { kind: 'done', post: stored };
}

/**
 * TikTok will not pull from a URL whose domain the app has not verified; the video is then streamed to TikTok by
 * us instead (FILE_UPLOAD). The first init created nothing, so a second one is safe.
 */
async function uploadInstead(deps: PostingDeps, post: TikTokPost, accessToken: string, caller: PublishCaller): Promise<PublishOutcome> {
  let videoSize: number;
  try {
    const probe = await probeVideoUrl(videoUrlOf(post), deps.settings.video);
    if (probe.sizeBytes === null) {
      throw appError('VIDEO_URL_UNREACHABLE', 'The video’s host does not say how large the file is, so it cannot be uploaded in chunks.', {
        hint: 'Serve the video with a Content-Length (or Content-Range) header, or from a domain TikTok has verified.',
      });
    }
    videoSize = probe.sizeBytes;
    await spendTikTokCall(deps, post.account_id, 'init');
  } catch (error) {
    const failed = await recordFailed(deps, post, { reason: 'upload_failed', code: error instanceof AppError ? error.appCode : null });
    if (caller === 'request') throw error;
    return { kind: 'done', post: failed };
  }
  try {
    const accepted = await init(deps, accessToken, post, { source: 'FILE_UPLOAD', videoSize });
    const plan = accepted.chunkPlan;
    return {
      kind: 'done',
      post: await recordAccepted(deps, post, {
        publishId: accepted.publishId,
        source: 'FILE_UPLOAD',
        ...(accepted.uploadUrl !== undefined && { uploadUrl: accepted.uploadUrl }),
        ...(plan && { chunkSize: plan.chunkSize }),
        videoSize,
      }),
    };
  } catch (error) {
    if (!isTikTokError(error)) throw error;
    if (error.outcomeUnknown) return settleOutcomeUnknown(deps, post, caller, error);
    return failOnTikTokRefusal(deps, post, caller, error);
  }
}
