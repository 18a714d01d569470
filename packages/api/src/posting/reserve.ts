import type { NewTikTokPost, TikTokPost } from '@reelpost/db';
import type { AppDeps } from '../deps.js';
import { appError } from '../errors.js';
import { enqueueJob } from '../jobs/queue.js';
import { mirrorLatestPostToTask } from './mirror.js';
import { publishJobKey, publishPostJob } from './job-definitions.js';

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
    status: request.scheduledAt ? ('SCHEDULED' as const) : ('RESERVED' as const),
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

/**
 * Step 5, the exactly-once gate: one row per task and account, reserved under the unique constraint in the same
 * transaction that records the request, before TikTok is called. A concurrent request waits on the row and then
 * gets the first one's post (same key) or a 409 (different parameters). A post that failed or was cancelled may be
 * tried again; one whose outcome is unknown only with a new, explicit idempotency key.
 */
export async function reservePost(deps: Pick<AppDeps, 'db' | 'clock'>, request: ReservationRequest): Promise<Reservation> {
  return deps.db.transaction().execute(async (trx): Promise<Reservation> => {
    const afterReserving = async (post: TikTokPost): Promise<Reservation> => {
      if (post.status === 'SCHEDULED' && post.scheduled_at) {
        await enqueueJob(trx, publishPostJob, { postId: post.id }, { runAt: post.scheduled_at, jobKey: publishJobKey(post.id) });
      }
      await mirrorLatestPostToTask(trx, post.task_id);
      return { kind: 'reserved', post };
    };

    const inserted = await trx
      .insertInto('tiktok_posts')
      .values(freshAttempt(request))
      .onConflict((oc) => oc.columns(['task_id', 'account_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return afterReserving(inserted);

    const existing = await trx
      .selectFrom('tiktok_posts')
      .selectAll()
      .where('task_id', '=', request.values.task_id)
      .where('account_id', '=', request.values.account_id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const sameRequest = existing.idempotency_key === request.values.idempotency_key;
    const endedWithoutPosting = existing.status === 'FAILED' || existing.status === 'CANCELLED';
    if (sameRequest && existing.status === 'UNKNOWN') throw outcomeStillUnknown();
    if (sameRequest && (request.explicitKey || !endedWithoutPosting)) {
      if (existing.request_fingerprint !== request.values.request_fingerprint) {
        throw appError('ALREADY_POSTED', 'This idempotency key was already used for a post with other parameters.', {
          hint: 'Use a new idempotency key for a different post.',
        });
      }
      return { kind: 'existing', post: existing };
    }
    if (endedWithoutPosting || (existing.status === 'UNKNOWN' && request.explicitKey)) {
      const reused = await trx
        .updateTable('tiktok_posts')
        .set({ ...freshAttempt(request), updated_at: deps.clock.now() })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return afterReserving(reused);
    }
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
  });
}
