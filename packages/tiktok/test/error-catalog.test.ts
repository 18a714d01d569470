import { describe, expect, it } from 'vitest';
import {
  describeFailReason,
  describeTikTokError,
  isTikTokError,
  KNOWN_ERROR_CODES,
  KNOWN_FAIL_REASONS,
  redactSecrets,
  TikTokError,
} from '../src/index.js';

// Every code and fail_reason named in TikTok's docs (shared/tiktok-api.md) must have a message and a hint.
const DOCUMENTED_CODES = [
  'access_token_invalid',
  'internal_error',
  'invalid_file_upload',
  'invalid_params',
  'invalid_param',
  'rate_limit_exceeded',
  'scope_not_authorized',
  'scope_permission_missed',
  'spam_risk_too_many_posts',
  'spam_risk_user_banned_from_posting',
  'reached_active_user_cap',
  'unaudited_client_can_only_post_to_private_accounts',
  'url_ownership_unverified',
  'privacy_level_option_mismatch',
  'spam_risk_too_many_pending_share',
  'app_version_check_failed',
  'spam_risk_text',
  'spam_risk',
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
];

const DOCUMENTED_FAIL_REASONS = [
  'file_format_check_failed',
  'duration_check_failed',
  'frame_rate_check_failed',
  'picture_size_check_failed',
  'internal',
  'video_pull_failed',
  'photo_pull_failed',
  'publish_cancelled',
  'auth_removed',
  'spam_risk_too_many_posts',
  'spam_risk_user_banned_from_posting',
  'spam_risk_text',
  'spam_risk',
];

describe('the error tables', () => {
  it.each(DOCUMENTED_CODES)('explains the error code %s', (code) => {
    const description = describeTikTokError(code);
    expect(description).toMatchObject({ code, known: true });
    expect(description.message.length).toBeGreaterThan(20);
    expect(description.hint.length).toBeGreaterThan(20);
    expect(KNOWN_ERROR_CODES).toContain(code);
  });

  it.each(DOCUMENTED_FAIL_REASONS)('explains the fail_reason %s', (reason) => {
    const description = describeFailReason(reason);
    expect(description).toMatchObject({ code: reason, known: true });
    expect(description.hint.length).toBeGreaterThan(20);
    expect(KNOWN_FAIL_REASONS).toContain(reason);
  });

  it('keeps an unknown code and says honestly that it is unknown', () => {
    expect(describeTikTokError('quota_of_the_future')).toMatchObject({ code: 'quota_of_the_future', known: false, retryable: false, action: 'contact_support' });
    expect(describeTikTokError('quota_of_the_future').message).toContain('quota_of_the_future');
  });

  it('calls an unknown code that came with a server error worth retrying', () => {
    expect(describeTikTokError('upstream_hiccup', 502)).toMatchObject({ known: false, retryable: true, action: 'retry' });
  });

  it('keeps an unknown fail_reason', () => {
    expect(describeFailReason('new_reason')).toMatchObject({ code: 'new_reason', known: false });
  });

  it('does not mistake object prototype names for codes', () => {
    expect(describeTikTokError('constructor').known).toBe(false);
    expect(describeFailReason('toString').known).toBe(false);
  });
});

describe('TikTokError', () => {
  it('carries code, log id, status, retryability and the hint, and serialises for logs', () => {
    const error = new TikTokError({ code: 'spam_risk_text', detail: 'Caption flagged.', logId: '2026X', httpStatus: 403, endpoint: 'video.init' });
    expect(isTikTokError(error)).toBe(true);
    expect(isTikTokError(new Error('x'))).toBe(false);
    expect(error.toJSON()).toEqual({
      name: 'TikTokError',
      code: 'spam_risk_text',
      message: 'TikTok flagged the caption as a spam risk.',
      hint: 'Do not retry this request: TikTok asks that it is not sent again. Write a different caption (fewer hashtags, mentions and links) before posting anything new.',
      action: 'fix_request',
      detail: 'Caption flagged.',
      logId: '2026X',
      httpStatus: 403,
      endpoint: 'video.init',
      retryable: false,
      retryAfterMs: undefined,
      outcomeUnknown: false,
    });
  });

  it('keeps its cause out of enumerable fields', () => {
    const error = new TikTokError({ code: 'network_error', cause: new Error('socket') });
    expect(Object.keys(error)).not.toContain('cause');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('tells the caller to reconnect, not reconcile, when the unknown outcome is an auth failure', () => {
    expect(new TikTokError({ code: 'invalid_grant', outcomeUnknown: true }).action).toBe('reauthorize');
  });
});

describe('redactSecrets', () => {
  it('masks TikTok tokens, bearer credentials and secret form fields', () => {
    const text = 'act.abc123!4455.va and rft.zzz Bearer xyz.789 client_secret=s3cr3t&code=abc';
    expect(redactSecrets(text)).toBe('act.*** and rft.*** Bearer *** client_secret=***&code=***');
  });

  it('masks given secrets, but not short values that would mask ordinary words', () => {
    expect(redactSecrets('the key is emulator-client-secret', ['emulator-client-secret', 'the', undefined])).toBe('the key is ***');
  });
});
