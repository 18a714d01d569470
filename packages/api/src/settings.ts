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
    /** TikTok's rate-limit window; shortened only in load tests, together with the emulator's. */
    rateLimitWindowMs: number;
  };
}

export const DEFAULT_TIKTOK_SCOPES = ['user.info.basic', 'user.info.profile', 'video.publish', 'video.upload'] as const;

export function defaultSettings(): AppSettings {
  return {
    tiktok: {
      scopes: DEFAULT_TIKTOK_SCOPES,
      sandboxMode: false,
      refreshMarginMs: 5 * 60_000,
      proactiveRefreshWithinMs: 60 * 60_000,
      connectStateTtlMs: 10 * 60_000,
      rateLimitWindowMs: 60_000,
    },
  };
}
