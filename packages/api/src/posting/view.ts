import type { PostStatus, TikTokPost } from '@reelpost/db';
import { describeFailReason, describeTikTokError, KNOWN_ERROR_CODES, type TikTokPrivacyLevel } from '@reelpost/tiktok';
import type { ContractPostStatus } from '../tasks/schemas.js';
import type { PostStatusView } from './schemas.js';

/**
 * The status a caller sees for a stored post. RESERVED (the row exists, TikTok has not been called yet) is "in
 * flight": PROCESSING. UNKNOWN (an init may or may not have reached TikTok) is final to a caller: FAILED with
 * `outcomeUnknown`, because nothing more will happen by itself and a retry needs a deliberate new idempotency key.
 */
const CONTRACT_STATUS_OF: Record<PostStatus, ContractPostStatus> = {
  RESERVED: 'PROCESSING',
  SCHEDULED: 'SCHEDULED',
  PROCESSING: 'PROCESSING',
  SENT_TO_INBOX: 'SENT_TO_INBOX',
  PUBLISHED: 'PUBLISHED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
  UNKNOWN: 'FAILED',
};

export function toContractPostStatus(status: PostStatus): ContractPostStatus {
  return CONTRACT_STATUS_OF[status];
}

/** Reasons of our own, for failures TikTok never saw or could not report. */
const OWN_FAIL_REASONS: Record<string, { message: string; hint: string }> = {
  outcome_unknown: {
    message: 'We could not confirm whether TikTok received this post: the connection broke after it was sent.',
    hint: 'Check the TikTok profile before posting again. To try again anyway, post with a new idempotencyKey.',
  },
  processing_timeout: {
    message: 'TikTok did not finish processing this post within the time we wait.',
    hint: 'Check the TikTok app; if the video is not there, post it again.',
  },
  not_received_by_tiktok: {
    message: 'TikTok has no record of this post: the video never reached TikTok, so nothing was published.',
    hint: 'Posting it again is safe: TikTok did not receive the first attempt.',
  },
  status_not_authorized: {
    message: 'TikTok will not tell this account how the post is doing: it was sent as another TikTok user.',
    hint: 'The account was probably reconnected as a different TikTok user. Check the profile the post was sent from before posting again; reconnect that account to follow it.',
  },
  upload_failed: {
    message: 'Uploading the video to TikTok failed.',
    hint: 'Post it again; if it keeps failing, check that the video URL still answers.',
  },
};

export function describePostFailure(reason: string): { message: string; hint: string } {
  const own = OWN_FAIL_REASONS[reason];
  if (own) return own;
  // A reason may also be an error code TikTok answered the init with (e.g. spam_risk_too_many_posts).
  const described = KNOWN_ERROR_CODES.includes(reason) ? describeTikTokError(reason) : describeFailReason(reason);
  return { message: described.message, hint: described.hint };
}

const MESSAGES: Record<PostStatus, string> = {
  RESERVED: 'Sending the video to TikTok.',
  SCHEDULED: 'Scheduled: it will be sent to TikTok at the chosen time.',
  PROCESSING: 'TikTok is processing the video; it may take a few minutes to appear on the profile.',
  SENT_TO_INBOX: 'Waiting for the creator to finish it in TikTok: the draft is in their TikTok inbox.',
  PUBLISHED: 'Published on TikTok.',
  FAILED: 'TikTok did not publish the video.',
  CANCELLED: 'Cancelled before it was sent to TikTok.',
  UNKNOWN: 'We could not confirm whether TikTok received this post.',
};

/** What a person can do about a post that is not failed; failures carry their own hint. */
const HINTS: Partial<Record<PostStatus, string>> = {
  SENT_TO_INBOX:
    'The creator opens TikTok’s inbox notification, edits the draft and posts it; this becomes PUBLISHED when they do. A draft may also never be posted.',
};

const TAKEN_DOWN = {
  message: 'Published on TikTok, but TikTok no longer shows it publicly: it was taken down or made private.',
  hint: 'Check the post in the TikTok app (TikTok may have removed it for a guideline, or the creator made it private); Reelpost does not post it again by itself.',
};

export type PostRow = Pick<
  TikTokPost,
  | 'id'
  | 'task_id'
  | 'account_id'
  | 'status'
  | 'tiktok_status'
  | 'publish_id'
  | 'public_url'
  | 'public_post_ids'
  | 'fail_reason'
  | 'mode'
  | 'media_type'
  | 'privacy_level'
  | 'sandbox_forced_private'
  | 'uploaded_bytes'
  | 'downloaded_bytes'
  | 'scheduled_at'
  | 'last_checked_at'
  | 'taken_down_at'
  | 'created_at'
  | 'updated_at'
>;

export const POST_VIEW_COLUMNS = [
  'id',
  'task_id',
  'account_id',
  'status',
  'tiktok_status',
  'publish_id',
  'public_url',
  'public_post_ids',
  'fail_reason',
  'mode',
  'media_type',
  'privacy_level',
  'sandbox_forced_private',
  'uploaded_bytes',
  'downloaded_bytes',
  'scheduled_at',
  'last_checked_at',
  'taken_down_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof TikTokPost)[];

/** What a status view and a live event both say about a post: the fields of its row that decide the words. */
export type PostStateFacts = Pick<PostRow, 'status' | 'fail_reason' | 'privacy_level' | 'sandbox_forced_private' | 'taken_down_at'> & {
  publicPostCount: number;
};

export interface PostStateWords {
  status: ContractPostStatus;
  failReason: string | null;
  message: string;
  hint: string | null;
  takenDownAt: Date | null;
}

export function describePostState(facts: PostStateFacts): PostStateWords {
  const failure = facts.fail_reason ? describePostFailure(facts.fail_reason) : null;
  const status = toContractPostStatus(facts.status);
  let message = failure && status === 'FAILED' ? failure.message : MESSAGES[facts.status];
  if (facts.status === 'PUBLISHED' && facts.publicPostCount === 0 && facts.privacy_level === 'PUBLIC_TO_EVERYONE') {
    message = 'Published on TikTok; the public link appears once TikTok’s moderation makes the video visible.';
  }
  const takenDown = facts.status === 'PUBLISHED' && facts.taken_down_at !== null;
  if (takenDown) message = TAKEN_DOWN.message;
  if (facts.sandbox_forced_private && status !== 'FAILED') message += ' Sent as private (SELF_ONLY): the app is in sandbox mode.';
  return {
    status,
    failReason: status === 'FAILED' ? (facts.fail_reason ?? (facts.status === 'UNKNOWN' ? 'outcome_unknown' : null)) : null,
    message,
    hint: status === 'FAILED' ? (failure?.hint ?? null) : takenDown ? TAKEN_DOWN.hint : (HINTS[facts.status] ?? null),
    takenDownAt: takenDown ? facts.taken_down_at : null,
  };
}

export function toPostStatusView(row: PostRow): PostStatusView {
  const words = describePostState({ ...row, publicPostCount: row.public_post_ids.length });
  return {
    postId: row.id,
    taskId: row.task_id,
    accountId: row.account_id,
    status: words.status,
    tiktokStatus: row.tiktok_status,
    publishId: row.publish_id,
    publicUrl: row.public_url,
    failReason: words.failReason,
    message: words.message,
    hint: words.hint,
    outcomeUnknown: row.status === 'UNKNOWN',
    mode: row.mode,
    mediaType: row.media_type,
    privacyLevel: row.privacy_level as TikTokPrivacyLevel,
    sandboxForcedPrivate: row.sandbox_forced_private,
    uploadedBytes: row.uploaded_bytes,
    downloadedBytes: row.downloaded_bytes,
    scheduledAt: row.scheduled_at,
    lastCheckedAt: row.last_checked_at,
    takenDownAt: words.takenDownAt,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
