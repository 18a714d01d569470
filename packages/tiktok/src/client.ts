import { z } from 'zod';
import { systemTikTokClock, type TikTokClock } from './clock.js';
import { planChunks, uploadChunksWith, type ChunkPlan, type UploadChunksInput, type UploadChunksResult } from './chunks.js';
import { TIKTOK_API_BASE_URL, TIKTOK_AUTH_BASE_URL, TIKTOK_PATHS } from './endpoints.js';
import { TikTokError } from './errors.js';
import { photoInitBody, type TikTokPhotoPostInput } from './photo.js';
import {
  TikTokOAuth,
  type BuildAuthorizeUrlInput,
  type ExchangeCodeInput,
  type TikTokTokenSet,
} from './oauth.js';
import type { PkceMode } from './pkce.js';
import { SlidingWindowRateLimiter, type RateLimitOptions } from './rate-limiter.js';
import { DEFAULT_RETRY_OPTIONS, type RetryOptions } from './retry.js';
import {
  POST_STATUSES,
  creatorInfoDataSchema,
  initDataSchema,
  privacyLevelSchema,
  statusDataSchema,
  USER_INFO_FIELDS,
  userInfoDataSchema,
  type TikTokPostStatusValue,
  type TikTokPrivacyLevel,
  type TikTokUserInfoField,
} from './schemas.js';
import { callEnvelopeApi, type TikTokClientEvent, type Transport } from './transport.js';

export interface TikTokClientOptions {
  clientKey: string;
  clientSecret: string;
  /** Must equal one of the redirect URIs registered for the app, character for character. */
  redirectUri: string;
  /** TikTok's API host, or the emulator's URL. */
  apiBaseUrl?: string;
  /** Where the browser authorize page lives (www.tiktok.com), or the emulator's URL. */
  authBaseUrl?: string;
  fetch?: typeof fetch;
  clock?: TikTokClock;
  /** `false` disables retries; otherwise overrides of the defaults (3 retries, full jitter from 500 ms). */
  retry?: Partial<RetryOptions> | false;
  /** `false` disables the client-side limiter (TikTok's 429 then surfaces as rate_limit_exceeded). */
  rateLimits?: RateLimitOptions | false;
  /** Per-request timeout in real milliseconds (30 s by default). */
  timeoutMs?: number;
  /** openid-client refuses plain http unless told; only for the emulator on 127.0.0.1. */
  allowInsecureRequests?: boolean;
  /**
   * PKCE as TikTok's Login Kit documents it (`'hex-s256'`, the default: code_challenge = hex SHA-256 of the
   * verifier), or `'off'`: no challenge and no verifier, as Postiz, Post for Me and a PHP SDK connect on the web.
   */
  pkce?: PkceMode;
  /**
   * TikTok pulls PULL_FROM_URL videos over https only; plain http video URLs are refused before sending unless
   * this is set (a local emulator). Defaults to `allowInsecureRequests`.
   */
  allowHttpVideoUrls?: boolean;
  /** Structured events for logging; they never carry tokens. */
  onEvent?: (event: TikTokClientEvent) => void;
}

export interface TikTokUserInfo {
  openId: string | undefined;
  unionId: string | undefined;
  avatarUrl: string | undefined;
  displayName: string | undefined;
  username: string | undefined;
  bioDescription: string | undefined;
  profileDeepLink: string | undefined;
  isVerified: boolean | undefined;
  followerCount: number | undefined;
  followingCount: number | undefined;
  likesCount: number | undefined;
  videoCount: number | undefined;
  logId: string | undefined;
}

export interface TikTokCreatorInfo {
  avatarUrl: string;
  username: string;
  nickname: string;
  /** Offer exactly these, with no default: the person must choose (Content Sharing Guidelines). */
  privacyLevelOptions: TikTokPrivacyLevel[];
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
  maxVideoPostDurationSec: number;
  logId: string | undefined;
}

export const postInfoSchema = z.object({
  /** Caption with #hashtags and @mentions; at most 2,200 UTF-16 code units. */
  title: z.string().max(2200, 'TikTok allows at most 2,200 characters in a title').default(''),
  privacyLevel: privacyLevelSchema,
  // Content Sharing Guidelines: no interaction is on unless the person turns it on, so each is disabled by default.
  disableDuet: z.boolean().default(true),
  disableComment: z.boolean().default(true),
  disableStitch: z.boolean().default(true),
  videoCoverTimestampMs: z.number().int().nonnegative().optional(),
  brandContentToggle: z.boolean().default(false),
  brandOrganicToggle: z.boolean().default(false),
  isAigc: z.boolean().default(false),
});
export type TikTokPostInfo = z.input<typeof postInfoSchema>;

export const videoSourceSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('PULL_FROM_URL'), videoUrl: z.url() }),
  z.object({
    source: z.literal('FILE_UPLOAD'),
    videoSize: z.number().int().positive(),
    /** Defaults to planChunks' choice; pass the same value to uploadChunks. */
    chunkSize: z.number().int().positive().optional(),
  }),
]);
export type TikTokVideoSource = z.input<typeof videoSourceSchema>;

export interface TikTokInitResult {
  publishId: string;
  /** For FILE_UPLOAD: where the chunks go (valid for an hour). */
  uploadUrl: string | undefined;
  /** For FILE_UPLOAD: the chunking announced to TikTok; uploadChunks must follow it. */
  chunkPlan: ChunkPlan | undefined;
  logId: string | undefined;
}

export interface TikTokPostStatus {
  /** TikTok's status as sent; a value TikTok adds later is kept as its raw string with `recognised: false`. */
  status: TikTokPostStatusValue | (string & {});
  /** Whether `status` is one of POST_STATUSES; an unrecognised status is reported, never a bad_response. */
  recognised: boolean;
  /**
   * PUBLISH_COMPLETE and FAILED do not change any more (moderation may still add post ids, and a post may be taken
   * down later). SEND_TO_USER_INBOX is not final: the creator may still post the draft. Unrecognised: not final.
   */
  isFinal: boolean;
  failReason: string | undefined;
  /** Exact decimal strings; empty until moderation makes a public post visible. Keep the first as the post. */
  publiclyAvailablePostIds: string[];
  uploadedBytes: number | undefined;
  downloadedBytes: number | undefined;
  logId: string | undefined;
}

export const FINAL_POST_STATUSES: readonly TikTokPostStatusValue[] = ['PUBLISH_COMPLETE', 'FAILED'];

const DEFAULT_USER_FIELDS: TikTokUserInfoField[] = ['open_id', 'union_id', 'avatar_url', 'display_name'];

function invalidInput(endpoint: 'video.init' | 'inbox.video.init', error: z.ZodError): TikTokError {
  const issue = error.issues[0];
  const where = issue?.path.join('.');
  return new TikTokError({ code: 'invalid_input', endpoint, detail: `${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}` });
}

/** TikTok pulls over https only (and follows no redirect); plain http is for a local emulator, when allowed. */
function refuseHttpVideoUrl(endpoint: 'video.init' | 'inbox.video.init', source: z.output<typeof videoSourceSchema>, allowHttp: boolean): void {
  if (source.source !== 'PULL_FROM_URL' || new URL(source.videoUrl).protocol === 'https:') return;
  if (allowHttp && new URL(source.videoUrl).protocol === 'http:') return;
  throw new TikTokError({ code: 'invalid_input', endpoint, detail: 'TikTok pulls videos over https only; the video URL must start with https://' });
}

function sourceInfoOf(source: z.output<typeof videoSourceSchema>): { body: Record<string, unknown>; plan: ChunkPlan | undefined } {
  if (source.source === 'PULL_FROM_URL') return { body: { source: 'PULL_FROM_URL', video_url: source.videoUrl }, plan: undefined };
  const plan = planChunks(source.videoSize, source.chunkSize);
  return {
    body: { source: 'FILE_UPLOAD', video_size: plan.videoSize, chunk_size: plan.chunkSize, total_chunk_count: plan.totalChunkCount },
    plan,
  };
}

export interface TikTokClient {
  buildAuthorizeUrl(input: BuildAuthorizeUrlInput): Promise<string>;
  exchangeCode(input: ExchangeCodeInput): Promise<TikTokTokenSet>;
  /** Returns the rotated refresh token: store it, the one passed in stops working. */
  refreshAccessToken(refreshToken: string): Promise<TikTokTokenSet>;
  revokeToken(token: string): Promise<void>;
  getUserInfo(accessToken: string, options?: { fields?: readonly TikTokUserInfoField[]; signal?: AbortSignal }): Promise<TikTokUserInfo>;
  queryCreatorInfo(accessToken: string, options?: { signal?: AbortSignal }): Promise<TikTokCreatorInfo>;
  /** Never retried once it may have reached TikTok; such failures carry outcomeUnknown. */
  initDirectPost(
    accessToken: string,
    input: { postInfo: TikTokPostInfo; source: TikTokVideoSource },
    options?: { signal?: AbortSignal },
  ): Promise<TikTokInitResult>;
  initInboxUpload(accessToken: string, input: { source: TikTokVideoSource }, options?: { signal?: AbortSignal }): Promise<TikTokInitResult>;
  /** A photo post (content/init, media_type PHOTO); like the video inits, never retried once it may have arrived. */
  initPhotoPost(accessToken: string, input: TikTokPhotoPostInput, options?: { signal?: AbortSignal }): Promise<TikTokInitResult>;
  uploadChunks(input: UploadChunksInput): Promise<UploadChunksResult>;
  fetchPostStatus(accessToken: string, publishId: string, options?: { signal?: AbortSignal }): Promise<TikTokPostStatus>;
}

export function createTikTokClient(options: TikTokClientOptions): TikTokClient {
  const clock = options.clock ?? systemTikTokClock;
  const transport: Transport = {
    apiBaseUrl: options.apiBaseUrl ?? TIKTOK_API_BASE_URL,
    fetch: options.fetch ?? globalThis.fetch,
    clock,
    retry: options.retry === false ? null : { ...DEFAULT_RETRY_OPTIONS, ...options.retry },
    limiter: options.rateLimits === false ? null : new SlidingWindowRateLimiter(clock, options.rateLimits),
    timeoutMs: options.timeoutMs ?? 30_000,
    onEvent: options.onEvent,
  };
  const allowHttpVideoUrls = options.allowHttpVideoUrls ?? options.allowInsecureRequests ?? false;
  const oauth = new TikTokOAuth(
    {
      clientKey: options.clientKey,
      clientSecret: options.clientSecret,
      redirectUri: new URL(options.redirectUri).href,
      authBaseUrl: options.authBaseUrl ?? TIKTOK_AUTH_BASE_URL,
      allowInsecureRequests: options.allowInsecureRequests ?? false,
      pkce: options.pkce ?? 'hex-s256',
    },
    transport,
    clock,
  );

  async function init(
    endpoint: 'video.init' | 'inbox.video.init' | 'content.init',
    accessToken: string,
    body: Record<string, unknown>,
    plan: ChunkPlan | undefined,
    signal: AbortSignal | undefined,
  ): Promise<TikTokInitResult> {
    const { data, logId } = await callEnvelopeApi(transport, {
      endpoint,
      method: 'POST',
      path: TIKTOK_PATHS[endpoint],
      accessToken,
      body,
      // A FILE_UPLOAD init is useless without its upload URL.
      dataSchema: plan ? initDataSchema.required({ upload_url: true }) : initDataSchema,
      idempotent: false,
      signal,
    });
    return { publishId: data.publish_id, uploadUrl: data.upload_url, chunkPlan: plan, logId };
  }

  return {
    buildAuthorizeUrl: (input) => oauth.buildAuthorizeUrl(input),
    exchangeCode: (input) => oauth.exchangeCode(input),
    refreshAccessToken: (refreshToken) => oauth.refreshAccessToken(refreshToken),
    revokeToken: (token) => oauth.revokeToken(token),

    async getUserInfo(accessToken, { fields = DEFAULT_USER_FIELDS, signal } = {}) {
      const wanted = fields.filter((field) => (USER_INFO_FIELDS as readonly string[]).includes(field));
      const { data, logId } = await callEnvelopeApi(transport, {
        endpoint: 'user.info',
        method: 'GET',
        path: TIKTOK_PATHS['user.info'],
        query: { fields: wanted.join(',') },
        accessToken,
        dataSchema: userInfoDataSchema,
        idempotent: true,
        signal,
      });
      const user = data.user;
      return {
        openId: user.open_id,
        unionId: user.union_id,
        avatarUrl: user.avatar_url,
        displayName: user.display_name,
        username: user.username,
        bioDescription: user.bio_description,
        profileDeepLink: user.profile_deep_link,
        isVerified: user.is_verified,
        followerCount: user.follower_count,
        followingCount: user.following_count,
        likesCount: user.likes_count,
        videoCount: user.video_count,
        logId,
      };
    },

    async queryCreatorInfo(accessToken, { signal } = {}) {
      const { data, logId } = await callEnvelopeApi(transport, {
        endpoint: 'creator_info.query',
        method: 'POST',
        path: TIKTOK_PATHS['creator_info.query'],
        accessToken,
        dataSchema: creatorInfoDataSchema,
        idempotent: true,
        signal,
      });
      return {
        avatarUrl: data.creator_avatar_url,
        username: data.creator_username,
        nickname: data.creator_nickname,
        privacyLevelOptions: data.privacy_level_options,
        commentDisabled: data.comment_disabled,
        duetDisabled: data.duet_disabled,
        stitchDisabled: data.stitch_disabled,
        maxVideoPostDurationSec: data.max_video_post_duration_sec,
        logId,
      };
    },

    async initDirectPost(accessToken, input, { signal } = {}) {
      const postInfo = postInfoSchema.safeParse(input.postInfo);
      if (!postInfo.success) throw invalidInput('video.init', postInfo.error);
      const info = postInfo.data;
      if (info.brandContentToggle && info.privacyLevel === 'SELF_ONLY') {
        throw new TikTokError({ code: 'invalid_input', endpoint: 'video.init', detail: 'branded content cannot be private (SELF_ONLY)' });
      }
      const source = videoSourceSchema.safeParse(input.source);
      if (!source.success) throw invalidInput('video.init', source.error);
      refuseHttpVideoUrl('video.init', source.data, allowHttpVideoUrls);
      const sourceInfo = sourceInfoOf(source.data);
      const body = {
        post_info: {
          title: info.title,
          privacy_level: info.privacyLevel,
          disable_duet: info.disableDuet,
          disable_comment: info.disableComment,
          disable_stitch: info.disableStitch,
          ...(info.videoCoverTimestampMs !== undefined && { video_cover_timestamp_ms: info.videoCoverTimestampMs }),
          brand_content_toggle: info.brandContentToggle,
          brand_organic_toggle: info.brandOrganicToggle,
          is_aigc: info.isAigc,
        },
        source_info: sourceInfo.body,
      };
      return init('video.init', accessToken, body, sourceInfo.plan, signal);
    },

    async initInboxUpload(accessToken, input, { signal } = {}) {
      const source = videoSourceSchema.safeParse(input.source);
      if (!source.success) throw invalidInput('inbox.video.init', source.error);
      refuseHttpVideoUrl('inbox.video.init', source.data, allowHttpVideoUrls);
      const sourceInfo = sourceInfoOf(source.data);
      return init('inbox.video.init', accessToken, { source_info: sourceInfo.body }, sourceInfo.plan, signal);
    },

    async initPhotoPost(accessToken, input, { signal } = {}) {
      return init('content.init', accessToken, photoInitBody(input, allowHttpVideoUrls), undefined, signal);
    },

    uploadChunks: (input) => uploadChunksWith(transport, input),

    async fetchPostStatus(accessToken, publishId, { signal } = {}) {
      const { data, logId } = await callEnvelopeApi(transport, {
        endpoint: 'status.fetch',
        method: 'POST',
        path: TIKTOK_PATHS['status.fetch'],
        accessToken,
        body: { publish_id: publishId },
        dataSchema: statusDataSchema,
        idempotent: true,
        signal,
      });
      const recognised = (POST_STATUSES as readonly string[]).includes(data.status);
      return {
        status: data.status,
        recognised,
        isFinal: recognised && FINAL_POST_STATUSES.includes(data.status as TikTokPostStatusValue),
        failReason: data.fail_reason || undefined,
        publiclyAvailablePostIds: data.publicaly_available_post_id ?? data.publicly_available_post_id ?? [],
        uploadedBytes: data.uploaded_bytes,
        downloadedBytes: data.downloaded_bytes,
        logId,
      };
    },
  };
}

/** The public page of a post. */
export function tikTokPostUrl(username: string, postId: string): string {
  return `https://www.tiktok.com/@${encodeURIComponent(username)}/video/${encodeURIComponent(postId)}`;
}

/** A profile page: the link for private (SELF_ONLY) posts, which never get a public id. */
export function tikTokProfileUrl(username: string): string {
  return `https://www.tiktok.com/@${encodeURIComponent(username)}`;
}
