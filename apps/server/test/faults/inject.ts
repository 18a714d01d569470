import type { TikTokEmulatorControls } from '@reelpost/tiktok-emulator';
import type { FaultKind, Random } from './plan.js';

// Each fault kind as the emulator's fault API sets it up. Faults are queued on TikTok's side, per endpoint: the next
// call there meets it, whichever post (or status poll, or token refresh) that turns out to be — as with the real
// TikTok, where a failure is not aimed at anyone.

/** TikTok's fail_reasons a processed video can end with. */
const PROCESSING_FAIL_REASONS = ['video_pull_failed', 'file_format_check_failed', 'duration_check_failed', 'internal', 'spam_risk'] as const;

export interface FaultTiming {
  /** Posts still processing at this point are given up on (processing_timeout). */
  processingDeadlineMs: number;
}

export interface InjectTarget {
  /** The account's access token is made to need a refresh now (so the refresh meets the fault). */
  expireAccessToken: () => Promise<void>;
}

export async function injectFault(
  emulator: TikTokEmulatorControls,
  kind: FaultKind,
  random: Random,
  timing: FaultTiming,
  target: InjectTarget,
): Promise<void> {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  switch (kind) {
    case 'tiktok-5xx':
      return emulator.failNext(pick(['creator_info.query', 'video.init', 'status.fetch'] as const), {
        kind: 'error',
        status: pick([500, 502, 503]),
        code: 'internal_error',
      });
    case 'tiktok-429':
      return emulator.failNext(pick(['creator_info.query', 'video.init', 'status.fetch'] as const), { kind: 'error', status: 429, code: 'rate_limit_exceeded' });
    case 'timeout':
      return emulator.failNext(pick(['creator_info.query', 'video.init', 'status.fetch'] as const), 'timeout');
    case 'dropped-after-accept':
      return emulator.failNext('video.init', 'drop-after-commit');
    case 'invalid-grant-on-refresh':
      await target.expireAccessToken();
      return emulator.failNext('oauth.token', { kind: 'error', status: 400, code: 'invalid_grant', message: 'Refresh token is invalid or expired.' });
    case 'slow-processing':
      // Half finish before the deadline (late but fine), half after it (processing_timeout, then TikTok's news).
      return emulator.slowNextPublish(random() < 0.5 ? Math.round(timing.processingDeadlineMs / 3) : Math.round(timing.processingDeadlineMs * 1.5));
    case 'failed-processing':
      return emulator.failNextPublish(pick(PROCESSING_FAIL_REASONS));
    case 'duplicate-webhook':
      return emulator.failNextWebhook({ kind: 'duplicate', copies: pick([1, 2, 3]) });
    case 'late-webhook':
      return emulator.failNextWebhook({ kind: 'late', delayMs: Math.round(timing.processingDeadlineMs / 2) });
  }
}
