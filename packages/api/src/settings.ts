import type { VideoUrlPolicy } from './video/policy.js';

/** Tunables of the API's behaviour, with TikTok's numbers as defaults; the server fills them from its config. */
export interface AppSettings {
  tiktok: {
    /** Scopes asked for when connecting an account. */
    scopes: readonly string[];
    /** Unaudited (sandbox) apps may only post SELF_ONLY: posts are sent private and say so. */
    sandboxMode: boolean;
    /** Refresh an access token when less than this is left. */
    refreshMarginMs: number;
    /** The proactive refresher renews tokens expiring within this. */
    proactiveRefreshWithinMs: number;
    /** How long a connect link (its OAuth state) stays usable. */
    connectStateTtlMs: number;
    /** How many connects one user may have started and not finished (unexpired states); more are refused 429. */
    pendingConnectsPerUser: number;
    /** TikTok's rate-limit window; shortened only in load tests, together with the emulator's. */
    rateLimitWindowMs: number;
  };
  posting: {
    /** Scheduled posts may be at most this far ahead. */
    maxScheduleAheadMs: number;
    /** A post still processing this long after its init is given up on (FAILED, processing_timeout). */
    processingDeadlineMs: number;
    /** How long a published public post is watched for its public id (TikTok's moderation). */
    moderationWatchMs: number;
    /** One worker's claim on a post it is publishing or uploading; after it, another may take over. */
    leaseMs: number;
    /** tiktok.status asks TikTok again only when the last check is older than this. */
    minStatusIntervalMs: number;
    /** A reservation left this long without an init (its process died) is published by the sweeper. */
    orphanedReservationMs: number;
    /** The first status poll after an init; later polls wait a quarter of the time since the init, up to pollMaxMs. */
    pollInitialMs: number;
    pollMaxMs: number;
    /**
     * A draft waiting in the creator's inbox (SENT_TO_INBOX) is news only when the creator posts it, which may be
     * days later or never, and TikTok's webhooks say so first: its polls start at pollMaxMs and stretch, a quarter of
     * the time since the init each, to this.
     */
    inboxPollMaxMs: number;
    /** After this long in the inbox a draft is no longer polled; webhooks still move it to PUBLISHED. */
    inboxWatchMs: number;
    /**
     * How long after an init TikTok's status/fetch may not know its publish_id yet. Past it, `invalid_publish_id`
     * means the init never reached TikTok and the post fails (safe to post again). TikTok does not document the
     * delay (assumed: a few minutes covers it).
     */
    publishIdGraceMs: number;
    /**
     * How often the sweeper looks for work whose job was lost. Under a minute, each sweep schedules the next itself
     * (graphile-worker's cron has minute resolution); the minute cron stays as the backstop.
     */
    sweepIntervalMs: number;
  };
  /** Which video URLs may go to TikTok, and how they are read. */
  video: VideoUrlPolicy;
}

export const DEFAULT_TIKTOK_SCOPES = ['user.info.basic', 'user.info.profile', 'video.publish', 'video.upload'] as const;

export function defaultSettings(video: VideoUrlPolicy): AppSettings {
  return {
    tiktok: {
      scopes: DEFAULT_TIKTOK_SCOPES,
      sandboxMode: false,
      refreshMarginMs: 5 * 60_000,
      proactiveRefreshWithinMs: 60 * 60_000,
      connectStateTtlMs: 10 * 60_000,
      pendingConnectsPerUser: 5,
      rateLimitWindowMs: 60_000,
    },
    posting: {
      maxScheduleAheadMs: 30 * 24 * 3_600_000,
      processingDeadlineMs: 2 * 3_600_000,
      moderationWatchMs: 48 * 3_600_000,
      leaseMs: 2 * 60_000,
      minStatusIntervalMs: 3_000,
      orphanedReservationMs: 60_000,
      pollInitialMs: 2_000,
      pollMaxMs: 300_000,
      inboxPollMaxMs: 6 * 3_600_000,
      inboxWatchMs: 30 * 24 * 3_600_000,
      publishIdGraceMs: 5 * 60_000,
      sweepIntervalMs: 60_000,
    },
    video,
  };
}
