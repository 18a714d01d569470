import type { TikTokError } from '@reelpost/tiktok';
import { type AppError, type AppErrorCode, appError } from '../errors.js';

/**
 * A TikTok failure as the caller sees it: our stable code chosen by what can be done about it, TikTok's friendly
 * message and hint, and TikTok's own code and log_id kept for support.
 */
export function tikTokAppError(error: TikTokError): AppError {
  return appError(appCodeFor(error), error.message, {
    hint: error.hint,
    tiktok: { code: error.code, logId: error.logId ?? null },
    ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
  });
}

/** TikTok's answers meaning "this creator cannot post right now", whatever the request. */
const CREATOR_CANNOT_POST = new Set([
  'spam_risk_too_many_posts',
  'spam_risk_user_banned_from_posting',
  'reached_active_user_cap',
  'spam_risk_too_many_pending_share',
  'app_version_check_failed',
  'spam_risk',
  'spam_risk_text',
]);

function appCodeFor(error: TikTokError): AppErrorCode {
  if (error.code === 'rate_limited' || error.code === 'rate_limit_exceeded') return 'RATE_LIMITED';
  if (error.outcomeUnknown) return 'POST_OUTCOME_UNKNOWN';
  if (CREATOR_CANNOT_POST.has(error.code)) return 'CREATOR_CANNOT_POST';
  switch (error.action) {
    case 'reauthorize':
    case 'refresh_token':
      return 'ACCOUNT_NEEDS_REAUTH';
    case 'try_tomorrow':
      return 'CREATOR_CANNOT_POST';
    case 'retry':
    case 'wait':
      return 'TIKTOK_UNAVAILABLE';
    case 'fix_request':
    case 'change_video':
    case 'reconcile':
    case 'contact_support':
    case 'none':
      return 'TIKTOK_ERROR';
  }
}
