export { createManualClock, systemTikTokClock, type TikTokClock, type ManualClock } from './clock.js';
export {
  DEFAULT_CHUNK_SIZE,
  firstMissingChunk,
  MIB,
  MAX_CHUNK_COUNT,
  MAX_CHUNK_SIZE,
  MAX_FINAL_CHUNK_SIZE,
  MAX_VIDEO_SIZE,
  MIN_CHUNK_SIZE,
  planChunks,
  VIDEO_CONTENT_TYPES,
  type ChunkPlan,
  type ChunkRange,
  type ChunkSource,
  type UploadChunksInput,
  type UploadChunksResult,
  type VideoContentType,
} from './chunks.js';
export {
  createTikTokClient,
  FINAL_POST_STATUSES,
  postInfoSchema,
  tikTokPostUrl,
  tikTokProfileUrl,
  videoSourceSchema,
  type TikTokClient,
  type TikTokClientOptions,
  type TikTokCreatorInfo,
  type TikTokInitResult,
  type TikTokPostInfo,
  type TikTokPostStatus,
  type TikTokUserInfo,
  type TikTokVideoSource,
} from './client.js';
export {
  PHOTO_CONTENT_TYPES,
  PHOTO_LIMITS,
  PHOTO_POST_MODES,
  photoPostInputSchema,
  type TikTokPhotoPostInput,
} from './photo.js';
export {
  isRateLimitedEndpoint,
  RATE_LIMIT_WINDOW_MS,
  TIKTOK_API_BASE_URL,
  TIKTOK_AUTH_BASE_URL,
  TIKTOK_ENDPOINTS,
  TIKTOK_PATHS,
  TIKTOK_RATE_LIMITS_PER_MINUTE,
  type RateLimitedEndpoint,
  type TikTokEndpoint,
} from './endpoints.js';
export {
  describeFailReason,
  describeTikTokError,
  KNOWN_ERROR_CODES,
  KNOWN_FAIL_REASONS,
  type TikTokErrorAction,
  type TikTokErrorDescription,
} from './error-catalog.js';
export { isTikTokError, TikTokError, type TikTokErrorInit } from './errors.js';
export { parseJsonKeepingLargeIntegers } from './json.js';
export {
  createAuthorizationSecrets,
  TIKTOK_SCOPES,
  tikTokTokenSetSchema,
  tokenSetFromResponse,
  type BuildAuthorizeUrlInput,
  type ExchangeCodeInput,
  type TikTokTokenSet,
} from './oauth.js';
export { PKCE_MODES, tikTokCodeChallenge, type PkceMode } from './pkce.js';
export { SlidingWindowRateLimiter, tokenFingerprint, type RateLimitOptions } from './rate-limiter.js';
export { redactSecrets } from './redact.js';
export { SlidingWindowLog } from './sliding-window.js';
export { backoffDelay, DEFAULT_RETRY_OPTIONS, type RetryOptions } from './retry.js';
export {
  envelopeSchema,
  POST_STATUSES,
  PRIVACY_LEVELS,
  privacyLevelSchema,
  statusDataSchema,
  USER_INFO_FIELDS,
  type TikTokPostStatusValue,
  type TikTokPrivacyLevel,
  type TikTokUserInfoField,
} from './schemas.js';
export type { TikTokClientEvent } from './transport.js';
export {
  createInMemoryReplayGuard,
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  parseTikTokWebhookEvent,
  signTikTokWebhook,
  TIKTOK_SIGNATURE_HEADER,
  TIKTOK_WEBHOOK_EVENTS,
  TikTokWebhookError,
  verifyTikTokWebhook,
  type SignTikTokWebhookInput,
  type TikTokWebhookErrorCode,
  type TikTokWebhookEvent,
  type TikTokWebhookEventName,
  type VerifyTikTokWebhookInput,
  type WebhookReplayGuard,
} from './webhooks.js';
