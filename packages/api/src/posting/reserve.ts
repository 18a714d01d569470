import type { Database, NewTikTokPost, TikTokPost } from '@reelpost/db';
import type { Transaction } from 'kysely';
import type { AppDeps } from '../deps.js';
import { appError } from '../errors.js';
import { enqueueJob } from '../jobs/queue.js';
import { publishJobKey, publishPostJob } from './job-definitions.js';
import { createPost, movePost } from './post-state.js';

export type Reservation = { kind: 'reserved'; post: TikTokPost } | { kind: 'existing'; post: TikTokPost };

export interface ReservationRequest {
  values: Omit<NewTikTokPost, 'status' | 'scheduled_at' | 'id' | 'created_at' | 'updated_at'>;
  scheduledAt: Date | null;
  /** True when the caller sent its own idempotency key (a strict contract), false when it was derived. */
  explicitKey: boolean;
}

function outcomeStillUnknown() {
  return appError('POST_OUTCOME_UNKNOWN', 'An earlier attempt to post this task to this account may have reached TikTok.', {
    hint: 'Check the TikTok profile first. To post again anyway, send a new idempotencyKey.',
  });
}

/** Everything a new attempt resets on a row reused after a failure. */
function freshAttempt(request: ReservationRequest) {
  return {
    ...request.values,
    scheduled_at: request.scheduledAt,
    source: null,
    tiktok_status: null,
    publish_id: null,
    fail_reason: null,
    error_code: null,
    error_log_id: null,
    public_post_ids: [],
    public_url: null,
    uploaded_bytes: null,
    downloaded_bytes: null,
    next_check_at: null,
    last_checked_at: null,
    check_deadline_at: null,
    initiated_at: null,
    finished_at: null,
    lease_until: null,
    upload_url_encrypted: null,
    upload_chunk_size: null,
    video_size_bytes: null,
    upload_completed_at: null,
  };
}

/** A scheduled post's publish job, due at its time, in the transaction that reserved it. */
async function enqueueScheduled(trx: Transaction<Database>, post: TikTokPost): Promise<void> {
  if (post.status === 'SCHEDULED' && post.scheduled_at) {
    await enqueueJob(trx, publishPostJob, { postId: post.id }, { runAt: post.scheduled_at, jobKey: publishJobKey(post.id) });
  }
}

/**
 * Step 5, the exactly-once gate: one row per task and account, reserved under the unique constraint in the same
 * transaction that records the request, before TikTok is called. A concurrent request waits on the row and then
 * gets the first one's post (same key) or a 409 (different parameters). A post that failed or was cancelled may be
 * tried again; one whose outcome is unknown only with a new, explicit idempotency key.
 */
export async function reservePost(deps: Pick<AppDeps, 'db' | 'clock'>, request: ReservationRequest): Promise<Reservation> {
  return deps.db.transaction().execute(async (trx): Promise<Reservation> => {
    const inserted = await createPost(trx, request.scheduledAt ? 'schedule' : 'reserve', freshAttempt(request), { also: enqueueScheduled });
    if (inserted) return { kind: 'reserved', post: inserted };

    const existing = await trx
      .selectFrom('tiktok_posts')
      .selectAll()
      .where('task_id', '=', request.values.task_id)
      .where('account_id', '=', request.values.account_id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const answer = answerForEarlierPost(existing, {
      idempotencyKey: request.values.idempotency_key,
      fingerprint: request.values.request_fingerprint,
      explicitKey: request.explicitKey,
    });
    if (answer) return { kind: 'existing', post: answer };
    // Under the row lock, answerForEarlierPost has just said the post may be tried again: the move cannot refuse.
    const reused = await movePost(trx, existing.id, request.scheduledAt ? 'scheduleAgain' : 'reserveAgain', { ...freshAttempt(request), updated_at: deps.clock.now() }, { also: enqueueScheduled });
    if (!reused) throw new Error(`post ${existing.id} could not be tried again from ${existing.status}`);
    return { kind: 'reserved', post: reused };
  });
}

export interface PostRequestIdentity {
  idempotencyKey: string;
  fingerprint: string;
  explicitKey: boolean;
}

/**
 * What a request gets when the task already has a post on the account: that post (the same request again), null
 * (the earlier one failed or was cancelled, or its outcome is unknown and a new key was given: a new attempt may be
 * reserved), or an error. Used by the reservation, under the row lock, and before it by tiktok.post, so a repeat is
 * answered before anything leaves the server (no video URL fetched again: issue 17, finding 2).
 */
export function answerForEarlierPost(existing: TikTokPost, request: PostRequestIdentity): TikTokPost | null {
  const sameRequest = existing.idempotency_key === request.idempotencyKey;
  const endedWithoutPosting = existing.status === 'FAILED' || existing.status === 'CANCELLED';
  if (sameRequest && existing.status === 'UNKNOWN') throw outcomeStillUnknown();
  if (sameRequest && (request.explicitKey || !endedWithoutPosting)) {
    if (existing.request_fingerprint !== request.fingerprint) {
      throw appError('ALREADY_POSTED', 'This idempotency key was already used for a post with other parameters.', {
        hint: 'Use a new idempotency key for a different post.',
      });
    }
    return existing;
  }
  if (endedWithoutPosting || (existing.status === 'UNKNOWN' && request.explicitKey)) return null;
  switch (existing.status) {
      case 'UNKNOWN':
        throw outcomeStillUnknown();
      case 'PUBLISHED':
      case 'SENT_TO_INBOX':
        throw appError('ALREADY_POSTED', 'This task has already been posted to this TikTok account.', {
          hint: 'Each task is posted at most once per account; choose another account to post it again.',
          details: { postId: existing.id, status: existing.status },
        });
      default:
        throw appError('POST_IN_PROGRESS', 'This task is already being posted to this account with other parameters.', {
          hint: 'Wait for it to finish (tiktok.status), or cancel it if it is scheduled (tiktok.cancel).',
          details: { postId: existing.id, status: existing.status },
        });
  }
}
