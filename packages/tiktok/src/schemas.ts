import { z } from 'zod';

// The shapes TikTok sends, in TikTok's spelling. Every response is parsed with one of these before anything reads
// it; the client turns them into the camelCase types callers see.

/** int64 ids may arrive as numbers (kept exact by parseJsonKeepingLargeIntegers) or strings. */
export const int64IdSchema = z.union([z.string().min(1), z.number().int()]).transform(String);

export const envelopeErrorSchema = z.object({
  code: z.string().min(1),
  message: z.string().optional(),
  log_id: z.string().optional(),
});

/** `{data, error}`; data is checked separately, and only once error.code is "ok". */
export const envelopeSchema = z.object({
  data: z.unknown().optional(),
  error: envelopeErrorSchema,
});

export const oauthErrorSchema = z.object({
  error: z.string().min(1),
  error_description: z.string().optional(),
  log_id: z.string().optional(),
});

export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  open_id: z.string().min(1),
  scope: z.string(),
  expires_in: z.coerce.number().positive(),
  refresh_expires_in: z.coerce.number().positive(),
  token_type: z.string().optional(),
});

export const PRIVACY_LEVELS = ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'] as const;
export const privacyLevelSchema = z.enum(PRIVACY_LEVELS);
export type TikTokPrivacyLevel = z.infer<typeof privacyLevelSchema>;

export const creatorInfoDataSchema = z.object({
  creator_avatar_url: z.string().default(''),
  creator_username: z.string(),
  creator_nickname: z.string().default(''),
  // Unknown future levels are dropped rather than failing the whole answer.
  privacy_level_options: z.array(z.string()).transform((levels) =>
    levels.filter((level): level is TikTokPrivacyLevel => privacyLevelSchema.safeParse(level).success),
  ),
  comment_disabled: z.boolean().default(false),
  duet_disabled: z.boolean().default(false),
  stitch_disabled: z.boolean().default(false),
  max_video_post_duration_sec: z.number().int().nonnegative(),
});

export const USER_INFO_FIELDS = [
  'open_id',
  'union_id',
  'avatar_url',
  'avatar_url_100',
  'avatar_large_url',
  'display_name',
  'bio_description',
  'profile_deep_link',
  'is_verified',
  'username',
  'follower_count',
  'following_count',
  'likes_count',
  'video_count',
] as const;
export type TikTokUserInfoField = (typeof USER_INFO_FIELDS)[number];

export const userInfoDataSchema = z.object({
  user: z.object({
    open_id: z.string().optional(),
    union_id: z.string().optional(),
    avatar_url: z.string().optional(),
    avatar_url_100: z.string().optional(),
    avatar_large_url: z.string().optional(),
    display_name: z.string().optional(),
    bio_description: z.string().optional(),
    profile_deep_link: z.string().optional(),
    is_verified: z.boolean().optional(),
    username: z.string().optional(),
    follower_count: z.number().optional(),
    following_count: z.number().optional(),
    likes_count: z.number().optional(),
    video_count: z.number().optional(),
  }),
});

export const initDataSchema = z.object({
  publish_id: z.string().min(1),
  upload_url: z.url().optional(),
});

export const POST_STATUSES = [
  'PROCESSING_UPLOAD',
  'PROCESSING_DOWNLOAD',
  'SEND_TO_USER_INBOX',
  'PUBLISH_COMPLETE',
  'FAILED',
] as const;
export const postStatusSchema = z.enum(POST_STATUSES);
export type TikTokPostStatusValue = z.infer<typeof postStatusSchema>;

export const statusDataSchema = z.object({
  // Any string: a status TikTok adds later is kept and flagged by the client, not refused as a bad response.
  status: z.string().min(1),
  fail_reason: z.string().optional(),
  // TikTok's field is spelled "publicaly"; the correct spelling is accepted too in case it is ever fixed.
  publicaly_available_post_id: z.array(int64IdSchema).optional(),
  publicly_available_post_id: z.array(int64IdSchema).optional(),
  uploaded_bytes: z.number().nonnegative().optional(),
  downloaded_bytes: z.number().nonnegative().optional(),
});
