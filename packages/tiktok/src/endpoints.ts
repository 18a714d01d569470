// The TikTok endpoints this package talks to, named once so the client's rate limiter, its errors, the emulator's
// fault injection and its call counters all speak of the same things — and TikTok's limits on them, the one table
// the client's limiter, the emulator and the app's shared call budget take their numbers from.

export const TIKTOK_API_BASE_URL = 'https://open.tiktokapis.com';
export const TIKTOK_AUTH_BASE_URL = 'https://www.tiktok.com';

export const TIKTOK_ENDPOINTS = [
  'oauth.authorize',
  'oauth.token',
  'oauth.revoke',
  'user.info',
  'creator_info.query',
  'video.init',
  'inbox.video.init',
  /** Photo posts (Direct Post and Upload alike): media_type PHOTO. */
  'content.init',
  'status.fetch',
  'upload',
] as const;

export type TikTokEndpoint = (typeof TIKTOK_ENDPOINTS)[number];

/** Paths as TikTok spells them (trailing slashes included: TikTok's docs always write them). */
export const TIKTOK_PATHS = {
  'oauth.authorize': '/v2/auth/authorize/',
  'oauth.token': '/v2/oauth/token/',
  'oauth.revoke': '/v2/oauth/revoke/',
  'user.info': '/v2/user/info/',
  'creator_info.query': '/v2/post/publish/creator_info/query/',
  'video.init': '/v2/post/publish/video/init/',
  'inbox.video.init': '/v2/post/publish/inbox/video/init/',
  'content.init': '/v2/post/publish/content/init/',
  'status.fetch': '/v2/post/publish/status/fetch/',
} as const satisfies Partial<Record<TikTokEndpoint, string>>;

/**
 * Requests per access token per endpoint in a one-minute sliding window. creator_info, both inits and status come
 * from the Content Posting references; user info from the v2 rate-limit page.
 */
export const TIKTOK_RATE_LIMITS_PER_MINUTE = {
  'creator_info.query': 20,
  'video.init': 6,
  'inbox.video.init': 6,
  // Photo posts: "6 requests per minute per token" (shared/tiktok-api.md, "Photo posts").
  'content.init': 6,
  'status.fetch': 30,
  'user.info': 600,
} as const satisfies Partial<Record<TikTokEndpoint, number>>;

export type RateLimitedEndpoint = keyof typeof TIKTOK_RATE_LIMITS_PER_MINUTE;

/** TikTok's window for the limits above. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

export function isRateLimitedEndpoint(endpoint: TikTokEndpoint): endpoint is RateLimitedEndpoint {
  return Object.hasOwn(TIKTOK_RATE_LIMITS_PER_MINUTE, endpoint);
}
