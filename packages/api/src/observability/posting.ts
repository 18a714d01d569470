import type { TikTokPost } from '@reelpost/db';
import { instruments } from './instruments.js';

/** Statuses a post rests in: counted once, when a write moves a post into one. */
const SETTLED = new Set(['PUBLISHED', 'SENT_TO_INBOX', 'FAILED', 'CANCELLED', 'UNKNOWN']);

/** Codes are snake_case words from TikTok's catalog or ours; anything else is folded so a label stays bounded. */
function boundedCode(code: string | null): string {
  if (code === null) return 'unknown';
  return /^[A-Za-z][A-Za-z0-9_.]{0,63}$/.test(code) ? code : 'other';
}

/**
 * Counts a post that has just been written into a settled status (call after the write committed, with the
 * status it had before). A post revived later (UNKNOWN or a processing timeout, then TikTok's PUBLISHED) counts
 * under both: the counter records outcomes as they were recorded.
 */
export function recordPostSettled(
  post: Pick<TikTokPost, 'status' | 'error_code' | 'fail_reason' | 'created_at' | 'scheduled_at'>,
  previousStatus: string | undefined,
  now: Date,
): void {
  if (!SETTLED.has(post.status) || post.status === previousStatus) return;
  const metrics = instruments();
  // error_code is TikTok's (or our AppError's) code, a closed set; fail_reason stands in when no code was kept.
  const failed = post.status === 'FAILED' || post.status === 'UNKNOWN';
  metrics.postsFinished.add(1, failed ? { status: post.status, error_code: boundedCode(post.error_code ?? post.fail_reason) } : { status: post.status });
  if (post.status === 'PUBLISHED') {
    const since = post.scheduled_at && post.scheduled_at > post.created_at ? post.scheduled_at : post.created_at;
    metrics.publishDuration.record(Math.max(0, (now.getTime() - since.getTime()) / 1000));
  }
}

export type WebhookMetricOutcome = { accepted: true; outcome: string } | { accepted: false; reason: string };

export function recordWebhookDelivery(result: WebhookMetricOutcome): void {
  instruments().webhookDeliveries.add(1, result.accepted ? { result: 'accepted', outcome: result.outcome } : { result: 'refused', outcome: result.reason });
}
