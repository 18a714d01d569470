import { z } from 'zod';
import { privacyLevelSchema, TIKTOK_ENDPOINTS, TIKTOK_RATE_LIMITS_PER_MINUTE } from '@reelpost/tiktok';

// Everything the emulator can be told, as zod schemas: the in-process options, the admin API's bodies and the
// standalone command's config file are all checked by these.

const MIB = 1024 * 1024;

export const EMULATOR_SCOPES = ['user.info.basic', 'user.info.profile', 'user.info.stats', 'video.list', 'video.publish', 'video.upload'] as const;

export const emulatorUserSchema = z.object({
  /** Generated from the seed when absent. */
  openId: z.string().min(1).optional(),
  unionId: z.string().min(1).optional(),
  username: z.string().regex(/^[A-Za-z0-9._]{2,24}$/, 'TikTok usernames are 2–24 letters, digits, dots or underscores'),
  displayName: z.string().optional(),
  avatarUrl: z.string().optional(),
  bioDescription: z.string().default(''),
  isVerified: z.boolean().default(false),
  followerCount: z.number().int().nonnegative().default(0),
  followingCount: z.number().int().nonnegative().default(0),
  likesCount: z.number().int().nonnegative().default(0),
  videoCount: z.number().int().nonnegative().default(0),
  /** A private account offers FOLLOWER_OF_CREATOR, MUTUAL_FOLLOW_FRIENDS and SELF_ONLY, and no duets or stitches. */
  accountPrivate: z.boolean().default(false),
  /** Overrides the options derived from accountPrivate. */
  privacyLevelOptions: z.array(privacyLevelSchema).optional(),
  commentDisabled: z.boolean().default(false),
  duetDisabled: z.boolean().optional(),
  stitchDisabled: z.boolean().optional(),
  maxVideoPostDurationSec: z.number().int().positive().default(600),
  bannedFromPosting: z.boolean().default(false),
  /** Posts per 24 h through apps before spam_risk_too_many_posts (TikTok does not publish the number; ~15). */
  dailyPostCap: z.number().int().nonnegative().default(15),
  /** Drafts sent within any 24 h that may wait at once before spam_risk_too_many_pending_share (Upload page: 5). */
  pendingInboxLimit: z.number().int().nonnegative().default(5),
  /** The person's TikTok app is too old for drafts: inbox inits fail app_version_check_failed (400). */
  inboxAppOutdated: z.boolean().default(false),
});
export type EmulatorUserInput = z.input<typeof emulatorUserSchema>;

/**
 * A schema accepting any subset of `schema`'s fields, where absent fields stay absent. zod's own .partial() keeps
 * the defaults, which would turn every patch into "reset everything else".
 */
function patchOf<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => [key, ((field instanceof z.ZodDefault ? field.unwrap() : field) as z.ZodType).optional()]),
  ) as unknown as { [K in keyof Shape]: z.ZodOptional<Shape[K] extends z.ZodDefault<infer Inner> ? Inner : Shape[K]> };
  return z.object(shape).strict();
}

export const emulatorUserPatchSchema = patchOf(emulatorUserSchema.omit({ openId: true }));
export type EmulatorUserPatch = z.input<typeof emulatorUserPatchSchema>;

export const emulatorAppSchema = z.object({
  clientKey: z.string().min(1).default('emulator-client-key'),
  clientSecret: z.string().min(1).default('emulator-client-secret'),
  /** Exact strings; TikTok compares redirect_uri character for character. */
  redirectUris: z.array(z.string()).default([]),
  /** URL prefixes (or bare domains) verified for PULL_FROM_URL. */
  verifiedUrlPrefixes: z.array(z.string()).default([]),
  /**
   * TikTok pulls https only. `true` also accepts plain http under a verified prefix (local tests on 127.0.0.1),
   * `false` never does; unset, http is accepted only under a verified prefix written with http:// itself.
   */
  allowHttpVideoUrls: z.boolean().optional(),
  /** Unaudited apps may only post SELF_ONLY, and only 5 users may post through them per 24 h. */
  audited: z.boolean().default(true),
  /** Distinct posting users per 24 h; 5 for unaudited apps by default, unlimited for audited ones. */
  activeUserCap: z.number().int().positive().optional(),
  /** Scopes the app is approved for; requesting others at authorize fails invalid_scope. */
  approvedScopes: z.array(z.enum(EMULATOR_SCOPES)).default([...EMULATOR_SCOPES]),
  /** TikTok's current docs: 2 hours and 180 days (older pages said 24 hours and 365 days). */
  accessTokenLifetimeSec: z.number().int().positive().default(7_200),
  refreshTokenLifetimeSec: z.number().int().positive().default(15_552_000),
  authorizationCodeLifetimeSec: z.number().int().positive().default(600),
  uploadUrlLifetimeSec: z.number().int().positive().default(3_600),
  /** Where signed post events are delivered; none when absent. */
  webhookUrl: z.string().url().optional(),
});
export type EmulatorAppInput = z.input<typeof emulatorAppSchema>;
export type EmulatorApp = z.output<typeof emulatorAppSchema>;
export const emulatorAppPatchSchema = patchOf(emulatorAppSchema);

export const processingSchema = z.object({
  /** Fixed part of processing after the bytes are in. */
  baseMs: z.number().nonnegative().default(2_000),
  /** Size-dependent part (TikTok: under 30 s for 512 MB ≈ 55 ms per MiB). */
  msPerMiB: z.number().nonnegative().default(55),
  /** From PUBLISH_COMPLETE to the public post id, for PUBLIC_TO_EVERYONE posts ("usually within a minute"). */
  moderationDelayMs: z.number().nonnegative().default(30_000),
  /** Divides processing and moderation durations; 10 makes them ten times faster. */
  speed: z.number().positive().default(1),
});

export const emulatorOptionsSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().nonnegative().default(0),
  seed: z.string().default('reelpost'),
  clock: z.enum(['manual', 'real']).default('real'),
  /** Start of manual time (ms since the epoch); 2026-01-01T00:00:00Z by default so runs repeat exactly. */
  startTime: z.number().int().optional(),
  app: emulatorAppSchema.default(emulatorAppSchema.parse({})),
  /** Test users; two (a public and a private account) when absent. */
  users: z.array(emulatorUserSchema).optional(),
  processing: processingSchema.default(processingSchema.parse({})),
  rateLimits: z
    .object({
      enabled: z.boolean().default(true),
      /** Multiplies TikTok's one-minute window (0.01 → 600 ms) for load tests on real time. */
      windowScale: z.number().positive().default(1),
      limits: z.partialRecord(z.enum(Object.keys(TIKTOK_RATE_LIMITS_PER_MINUTE) as [keyof typeof TIKTOK_RATE_LIMITS_PER_MINUTE]), z.number().int().positive()).default({}),
    })
    .default({ enabled: true, windowScale: 1, limits: {} }),
  download: z
    .object({
      /** Real milliseconds allowed for a PULL_FROM_URL download (TikTok allows an hour). */
      timeoutMs: z.number().int().positive().default(60_000),
      /** The emulator keeps videos in memory; larger ones fail video_pull_failed. */
      maxBytes: z.number().int().positive().default(256 * MIB),
    })
    .default({ timeoutMs: 60_000, maxBytes: 256 * MIB }),
  webhooks: z
    .object({
      /** Attempts per event before giving up (TikTok keeps trying for 72 h). */
      maxAttempts: z.number().int().positive().default(6),
      /** First retry delay; doubles each attempt. */
      retryBaseMs: z.number().int().positive().default(1_000),
      /** Extra deliveries of every event, to exercise idempotent handlers. */
      duplicates: z.number().int().nonnegative().default(0),
      /** Real milliseconds to wait for the callback's answer. */
      timeoutMs: z.number().int().positive().default(10_000),
    })
    .default({ maxAttempts: 6, retryBaseMs: 1_000, duplicates: 0, timeoutMs: 10_000 }),
  /** The authorize page shows a consent form instead of answering at once (for people clicking through a demo). */
  consentPage: z.boolean().default(false),
});
export type TikTokEmulatorOptions = z.input<typeof emulatorOptionsSchema>;
export type ResolvedEmulatorOptions = z.output<typeof emulatorOptionsSchema>;

export const emulatorEndpointSchema = z.enum(TIKTOK_ENDPOINTS);

/** What the next calls to an endpoint do instead of their normal work. */
export const faultSchema = z.union([
  z.literal('timeout').transform(() => ({ kind: 'timeout' as const, count: 1 })),
  z.literal('drop-after-commit').transform(() => ({ kind: 'drop-after-commit' as const, count: 1 })),
  z.literal('drop-before-commit').transform(() => ({ kind: 'drop-before-commit' as const, count: 1 })),
  z.discriminatedUnion('kind', [
    /** Answer with this status and code (TikTok's envelope, or the OAuth error shape on OAuth endpoints). */
    z.object({
      kind: z.literal('error'),
      /** 200 is allowed: TikTok's OAuth endpoints are reported to answer some errors with status 200. */
      status: z.number().int().min(200).max(599),
      code: z.string().min(1),
      message: z.string().optional(),
      count: z.number().int().positive().default(1),
    }),
    /** Never answer; the connection stays open until the client gives up or the emulator stops. */
    z.object({ kind: z.literal('timeout'), count: z.number().int().positive().default(1) }),
    /** Do the work (an init creates its post), then cut the connection without answering: the ambiguous case. */
    z.object({ kind: z.literal('drop-after-commit'), count: z.number().int().positive().default(1) }),
    /** Cut the connection before doing anything. */
    z.object({ kind: z.literal('drop-before-commit'), count: z.number().int().positive().default(1) }),
    /** Do the work, then answer with a body no client can read. */
    z.object({
      kind: z.literal('malformed'),
      body: z.enum(['html', 'truncated-json', 'no-envelope', 'empty', 'wrong-data']),
      status: z.number().int().min(200).max(599).default(200),
      count: z.number().int().positive().default(1),
    }),
  ]),
  // `{status, code, count}` without a kind is an error fault.
  z
    .object({ status: z.number().int().min(200).max(599), code: z.string().min(1), message: z.string().optional(), count: z.number().int().positive().default(1) })
    .transform((fault) => ({ kind: 'error' as const, ...fault })),
]);
export type EmulatorFaultInput = z.input<typeof faultSchema>;
export type EmulatorFault = z.output<typeof faultSchema>;

/** What happens to the next webhook events (each event, with all its copies, counts once). */
export const webhookFaultSchema = z.discriminatedUnion('kind', [
  /** Delivered `copies` extra times, as TikTok's at-least-once delivery sometimes does. */
  z.object({ kind: z.literal('duplicate'), copies: z.number().int().positive().default(1), count: z.number().int().positive().default(1) }),
  /** Held back `delayMs` before the first attempt: it may arrive after a status poll already told the news. */
  z.object({ kind: z.literal('late'), delayMs: z.number().int().positive(), count: z.number().int().positive().default(1) }),
]);
export type EmulatorWebhookFaultInput = z.input<typeof webhookFaultSchema>;
export type EmulatorWebhookFault = z.output<typeof webhookFaultSchema>;

export const FAIL_REASON_VALUES = [
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
] as const;

export const authorizeBehaviourSchema = z.object({
  /** open_id or username of the user who consents; the first user when absent. */
  user: z.string().optional(),
  /** Answer error=access_denied instead. */
  deny: z.boolean().default(false),
  /** Grant only these of the requested scopes (the person unticked the others). */
  grantScopes: z.array(z.string()).optional(),
});
export type AuthorizeBehaviourInput = z.input<typeof authorizeBehaviourSchema>;
