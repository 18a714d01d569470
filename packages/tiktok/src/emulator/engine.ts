import { z } from 'zod';
import { MAX_CHUNK_COUNT, MAX_CHUNK_SIZE, MAX_VIDEO_SIZE, MIN_CHUNK_SIZE } from '../chunks.js';
import { RATE_LIMIT_WINDOW_MS, TIKTOK_RATE_LIMITS_PER_MINUTE, type RateLimitedEndpoint, type TikTokEndpoint } from '../endpoints.js';
import { tokenFingerprint } from '../rate-limiter.js';
import { privacyLevelSchema, USER_INFO_FIELDS, type TikTokPostStatusValue, type TikTokPrivacyLevel } from '../schemas.js';
import { AuthorizationServer, type Authenticated } from './authorization.js';
import type { EmulatorClock } from './clock.js';
import { createIdSource, type IdSource } from './ids.js';
import { checkVideo, probeVideo, type VideoFacts } from './media.js';
import { emulatorAppSchema, type EmulatorApp, type EmulatorFault, type emulatorUserSchema, type ResolvedEmulatorOptions } from './options.js';
import { createEmulatorUser, DEFAULT_USERS, privacyOptionsFor, type EmulatorUser } from './users.js';
import { WebhookSender, type WebhookDelivery } from './webhook-sender.js';
import { acceptChunk, downloadVideo, type UploadSession } from './media-transfer.js';
import { fail, failure, int64, ok, safeEqual, type ApiFailure, type Result } from './wire.js';

// The emulator's TikTok: users, publishes and their processing, rate limits, faults and the call log (grants and
// tokens live in the AuthorizationServer). It knows nothing about HTTP; the routes translate requests into calls on it and its answers into responses.

const MIB = 1024 * 1024;

export interface PublishRecord {
  publishId: string;
  openId: string;
  mode: 'direct' | 'inbox';
  source: 'PULL_FROM_URL' | 'FILE_UPLOAD';
  privacyLevel: TikTokPrivacyLevel | undefined;
  postInfo: Record<string, unknown> | undefined;
  videoUrl: string | undefined;
  videoSize: number | undefined;
  chunkSize: number | undefined;
  totalChunkCount: number | undefined;
  uploadUrl: string | undefined;
  status: TikTokPostStatusValue;
  failReason: string | undefined;
  uploadedBytes: number;
  downloadedBytes: number;
  postIds: string[];
  createdAt: number;
  video: VideoFacts | undefined;
  /** When processing ends (virtual time); unset while bytes are still arriving. */
  readyAt: number | undefined;
  /** When moderation makes a public post visible. */
  postIdAt: number | undefined;
  /** The result decided when the bytes were complete, applied at readyAt. */
  outcome: string | undefined;
  /** The person dealt with the draft in the TikTok app. */
  inboxCleared: boolean;
}

export interface CallRecord {
  seq: number;
  at: number;
  endpoint: TikTokEndpoint;
  openId: string | undefined;
  /** sha256 prefix of the access token used (never the token). */
  tokenFingerprint: string | undefined;
  httpStatus: number | undefined;
  code: string | undefined;
  fault: EmulatorFault['kind'] | undefined;
}

export interface CallFilter {
  endpoint?: TikTokEndpoint;
  openId?: string;
  accessToken?: string;
  /** What the HTTP admin client sends instead of the token. */
  tokenFingerprint?: string;
}

const BASIC_FIELDS = new Set(['open_id', 'union_id', 'avatar_url', 'avatar_url_100', 'avatar_large_url', 'display_name']);
const PROFILE_FIELDS = new Set(['bio_description', 'profile_deep_link', 'is_verified', 'username']);

const directInitSchema = z.object({
  post_info: z.object({
    title: z.string().optional(),
    privacy_level: z.string(),
    disable_duet: z.boolean().optional(),
    disable_comment: z.boolean().optional(),
    disable_stitch: z.boolean().optional(),
    video_cover_timestamp_ms: z.number().int().nonnegative().optional(),
    brand_content_toggle: z.boolean().optional(),
    brand_organic_toggle: z.boolean().optional(),
    is_aigc: z.boolean().optional(),
  }),
  source_info: z.unknown(),
});

const sourceInfoSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('PULL_FROM_URL'), video_url: z.string().min(1) }),
  z.object({
    source: z.literal('FILE_UPLOAD'),
    video_size: z.number().int().positive(),
    chunk_size: z.number().int().positive(),
    total_chunk_count: z.number().int().positive(),
  }),
]);

function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid request body';
}

export class EmulatorEngine {
  app!: EmulatorApp;
  ids!: IdSource;
  private users: EmulatorUser[] = [];
  private publishes = new Map<string, PublishRecord>();
  private uploads = new Map<string, UploadSession>();
  private rateWindows = new Map<string, number[]>();
  private faults = new Map<TikTokEndpoint, EmulatorFault[]>();
  private forcedFailReasons: string[] = [];
  private extraProcessingMs: number[] = [];
  private callLog: CallRecord[] = [];
  private pausedAt: number | undefined;
  private speed = 1;
  /** The authorize page asks a person to pick a test user instead of consenting at once. */
  consentPage = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly downloads = new Set<AbortController>();
  readonly webhooks: WebhookSender;
  readonly auth: AuthorizationServer;
  private readonly stopController = new AbortController();
  baseUrl = '';

  constructor(
    private readonly options: ResolvedEmulatorOptions,
    readonly clock: EmulatorClock,
  ) {
    this.webhooks = new WebhookSender(clock, options.webhooks, (work) => this.track(work), this.stopController.signal);
    this.auth = new AuthorizationServer({
      app: () => this.app,
      ids: () => this.ids,
      clock,
      findUser: (who) => this.findUser(who),
      firstUser: () => this.users[0],
      // Revocation by the app ends the authorization like a removal in the TikTok app (reason 5).
      onRevoked: (openId) => this.endAuthorization(openId, 5),
    });
    this.reset();
  }

  /** Back to the configured start: users, app, tokens, publishes, faults and counters (the clock keeps going). */
  reset(): void {
    this.app = emulatorAppSchema.parse(this.options.app);
    this.ids = createIdSource(this.options.seed);
    this.users = [];
    for (const user of this.options.users ?? DEFAULT_USERS) this.addUser(user);
    this.auth.reset();
    this.publishes.clear();
    this.uploads.clear();
    this.rateWindows.clear();
    this.faults.clear();
    this.forcedFailReasons = [];
    this.extraProcessingMs = [];
    this.callLog = [];
    this.pausedAt = undefined;
    this.speed = this.options.processing.speed;
    this.consentPage = this.options.consentPage;
    for (const controller of this.downloads) controller.abort();
    this.downloads.clear();
    this.webhooks.reset();
  }

  // ---------------------------------------------------------------- background work

  /** Keeps a promise of background work (download, webhook delivery) so `settle` can wait for it. */
  track<T>(work: Promise<T>): Promise<T> {
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return tracked;
  }

  /** Resolves when no download or webhook delivery is under way (including work started meanwhile). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops all background work for good (the server is shutting down). */
  shutdown(): void {
    this.stopController.abort();
    for (const controller of this.downloads) controller.abort();
  }

  /** Applies everything that has become due: processing results, moderation, webhook deliveries. */
  pump(): void {
    const now = this.clock.now();
    if (this.pausedAt === undefined) {
      for (const publish of this.publishes.values()) {
        if (publish.readyAt !== undefined && publish.readyAt <= now && publish.status.startsWith('PROCESSING_')) this.finishProcessing(publish);
        if (publish.postIdAt !== undefined && publish.postIdAt <= now && publish.postIds.length === 0 && publish.status === 'PUBLISH_COMPLETE') {
          this.makePubliclyAvailable(publish);
        }
      }
    }
    this.webhooks.deliverDue(this.app);
  }

  /** The earliest moment something is scheduled to happen (processing end, moderation, a webhook attempt). */
  nextDueAt(): number | undefined {
    let next = this.webhooks.nextDueAt();
    if (this.pausedAt === undefined) {
      for (const publish of this.publishes.values()) {
        if (publish.readyAt !== undefined && publish.status.startsWith('PROCESSING_')) next = Math.min(next ?? Infinity, publish.readyAt);
        if (publish.postIdAt !== undefined && publish.postIds.length === 0 && publish.status === 'PUBLISH_COMPLETE') {
          next = Math.min(next ?? Infinity, publish.postIdAt);
        }
      }
    }
    return next;
  }

  /**
   * Moves time forward by `ms`, stopping at every scheduled moment on the way so that events happen in order and
   * at their time (a webhook retried 1 s after a failure is retried 1 s later, even within one long advance).
   */
  async advanceBy(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    await this.settle();
    for (let stops = 0; ; stops += 1) {
      // Every stop resolves what was due, so this only trips on a bug; better an error than a hung test.
      if (stops > 100_000) throw new Error('the emulator clock made no progress');
      const due = this.nextDueAt();
      const step = due === undefined || due > target ? target : Math.max(due, this.clock.now());
      this.clock.advance(step - this.clock.now());
      this.pump();
      await this.settle();
      if (step >= target) return;
    }
  }

  // ---------------------------------------------------------------- users and app

  addUser(input: z.input<typeof emulatorUserSchema>): EmulatorUser {
    const user = createEmulatorUser(input, this.ids);
    if (this.users.some((known) => known.openId === user.openId || known.username === user.username)) {
      throw new Error(`a test user with open_id ${user.openId} or username ${user.username} exists already`);
    }
    this.users.push(user);
    return user;
  }

  updateUser(openIdOrUsername: string, patch: Partial<EmulatorUser>): EmulatorUser {
    const user = this.findUser(openIdOrUsername);
    if (!user) throw new Error(`no test user ${openIdOrUsername}`);
    // Making an account private (or public) changes what creator info offers, unless the patch says otherwise.
    const derived =
      patch.accountPrivate === undefined
        ? {}
        : { privacyLevelOptions: privacyOptionsFor(patch.accountPrivate), duetDisabled: patch.accountPrivate || user.duetDisabled };
    Object.assign(user, derived, patch, { openId: user.openId });
    return user;
  }

  listUsers(): EmulatorUser[] {
    return this.users.map((user) => ({ ...user }));
  }

  findUser(openIdOrUsername: string): EmulatorUser | undefined {
    return this.users.find((user) => user.openId === openIdOrUsername || user.username === openIdOrUsername);
  }

  configureApp(patch: Partial<EmulatorApp>): EmulatorApp {
    this.app = emulatorAppSchema.parse({ ...this.app, ...patch });
    return this.app;
  }

  // ---------------------------------------------------------------- faults and calls

  failNext(endpoint: TikTokEndpoint, fault: EmulatorFault): void {
    const queue = this.faults.get(endpoint) ?? [];
    queue.push({ ...fault });
    this.faults.set(endpoint, queue);
  }

  clearFaults(): void {
    this.faults.clear();
    this.forcedFailReasons = [];
    this.extraProcessingMs = [];
    this.webhooks.clearFaults();
  }

  /** Takes the next fault for an endpoint, if one is queued. */
  takeFault(endpoint: TikTokEndpoint): EmulatorFault | undefined {
    const queue = this.faults.get(endpoint);
    const fault = queue?.[0];
    if (!queue || !fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) queue.shift();
    return fault;
  }

  failNextPublish(reason: string, count = 1): void {
    for (let i = 0; i < count; i += 1) this.forcedFailReasons.push(reason);
  }

  slowNextPublish(extraMs: number, count = 1): void {
    for (let i = 0; i < count; i += 1) this.extraProcessingMs.push(extraMs);
  }

  recordCall(endpoint: TikTokEndpoint, accessToken: string | undefined): CallRecord {
    const record: CallRecord = {
      seq: this.callLog.length + 1,
      at: this.clock.now(),
      endpoint,
      openId: accessToken ? this.auth.grantOfAccessToken(accessToken)?.openId : undefined,
      tokenFingerprint: accessToken ? tokenFingerprint(accessToken) : undefined,
      httpStatus: undefined,
      code: undefined,
      fault: undefined,
    };
    this.callLog.push(record);
    return record;
  }

  calls(filter: CallFilter = {}): CallRecord[] {
    const fingerprint = filter.accessToken ? tokenFingerprint(filter.accessToken) : filter.tokenFingerprint;
    return this.callLog
      .filter(
        (call) =>
          (!filter.endpoint || call.endpoint === filter.endpoint) &&
          (!filter.openId || call.openId === filter.openId) &&
          (!fingerprint || call.tokenFingerprint === fingerprint),
      )
      .map((call) => ({ ...call }));
  }

  // ---------------------------------------------------------------- processing controls

  pauseProcessing(): void {
    this.pausedAt ??= this.clock.now();
  }

  resumeProcessing(): void {
    if (this.pausedAt === undefined) return;
    const pausedFor = this.clock.now() - this.pausedAt;
    this.pausedAt = undefined;
    for (const publish of this.publishes.values()) {
      if (publish.readyAt !== undefined && publish.status.startsWith('PROCESSING_')) publish.readyAt += pausedFor;
      if (publish.postIdAt !== undefined && publish.postIds.length === 0) publish.postIdAt += pausedFor;
    }
    this.pump();
  }

  setProcessingSpeed(speed: number): void {
    if (!(speed > 0)) throw new Error('speed must be positive');
    this.speed = speed;
  }

  get processingPaused(): boolean {
    return this.pausedAt !== undefined;
  }

  listPublishes(): PublishRecord[] {
    return [...this.publishes.values()].map((publish) => ({ ...publish, postIds: [...publish.postIds] }));
  }

  /** The person posted or deleted their waiting drafts in the TikTok app. */
  clearInbox(openIdOrUsername: string): number {
    const user = this.findUser(openIdOrUsername);
    let cleared = 0;
    for (const publish of this.publishes.values()) {
      if (publish.openId === user?.openId && publish.mode === 'inbox' && !publish.inboxCleared) {
        publish.inboxCleared = true;
        cleared += 1;
      }
    }
    return cleared;
  }

  /**
   * The person removed the app (or the app revoked them): every grant of the user ends, posts still processing fail
   * with auth_removed, and an authorization.removed webhook goes out.
   */
  endAuthorization(openIdOrUsername: string, reason = 1): number {
    const user = this.findUser(openIdOrUsername);
    if (!user) throw new Error(`no test user ${openIdOrUsername}`);
    const ended = this.auth.revokeGrantsOf(user.openId);
    for (const publish of this.publishes.values()) {
      if (publish.openId === user.openId && publish.status.startsWith('PROCESSING_')) this.failPublish(publish, 'auth_removed');
    }
    this.webhooks.enqueue(this.app, user.openId, 'authorization.removed', { reason });
    return ended;
  }

  // ---------------------------------------------------------------- API calls

  /** TikTok's sliding one-minute window per token and endpoint (scaled for load tests). */
  checkRateLimit(accessToken: string, endpoint: TikTokEndpoint): ApiFailure | undefined {
    if (!this.options.rateLimits.enabled || !Object.hasOwn(TIKTOK_RATE_LIMITS_PER_MINUTE, endpoint)) return undefined;
    const limited = endpoint as RateLimitedEndpoint;
    const limit = this.options.rateLimits.limits[limited] ?? TIKTOK_RATE_LIMITS_PER_MINUTE[limited];
    const windowMs = RATE_LIMIT_WINDOW_MS * this.options.rateLimits.windowScale;
    const key = `${tokenFingerprint(accessToken)}:${endpoint}`;
    const now = this.clock.now();
    const stamps = (this.rateWindows.get(key) ?? []).filter((stamp) => stamp > now - windowMs);
    if (stamps.length >= limit) {
      this.rateWindows.set(key, stamps);
      return failure(429, 'rate_limit_exceeded', 'The API rate limit was exceeded. Please try again later.');
    }
    stamps.push(now);
    this.rateWindows.set(key, stamps);
    return undefined;
  }

  userInfo(auth: Authenticated, fieldsParam: string | undefined): Result<{ user: Record<string, unknown> }> {
    const fields = (fieldsParam ?? '').split(',').map((field) => field.trim()).filter(Boolean);
    if (fields.length === 0) return fail(400, 'invalid_params', 'fields is required.');
    const unknown = fields.find((field) => !(USER_INFO_FIELDS as readonly string[]).includes(field));
    if (unknown) return fail(400, 'invalid_params', `Unknown field: ${unknown}.`);
    const scopes = auth.grant.scopes;
    const needs = (field: string) => (BASIC_FIELDS.has(field) ? 'user.info.basic' : PROFILE_FIELDS.has(field) ? 'user.info.profile' : 'user.info.stats');
    if (!fields.some((field) => scopes.includes(needs(field)))) {
      return fail(401, 'scope_not_authorized', 'The user did not authorize the scope required for completing this request.');
    }
    const missing = fields.find((field) => !scopes.includes(needs(field)));
    if (missing) return fail(401, 'scope_permission_missed', `Field ${missing} needs the ${needs(missing)} scope.`);
    const u = auth.user;
    const all: Record<string, unknown> = {
      open_id: u.openId,
      union_id: u.unionId,
      avatar_url: u.avatarUrl,
      avatar_url_100: u.avatarUrl,
      avatar_large_url: u.avatarUrl,
      display_name: u.displayName,
      bio_description: u.bioDescription,
      profile_deep_link: `https://vm.tiktok.com/emulator/${u.username}`,
      is_verified: u.isVerified,
      username: u.username,
      follower_count: u.followerCount,
      following_count: u.followingCount,
      likes_count: u.likesCount,
      video_count: u.videoCount,
    };
    return ok({ user: Object.fromEntries(fields.map((field) => [field, all[field]])) });
  }

  private postsInLastDay(openId: string): PublishRecord[] {
    const since = this.clock.now() - 24 * 3600 * 1000;
    return [...this.publishes.values()].filter((publish) => publish.openId === openId && publish.createdAt > since);
  }

  private activeUserCap(): number | undefined {
    return this.app.activeUserCap ?? (this.app.audited ? undefined : 5);
  }

  /** Why this creator cannot post now, if they cannot (creator info answers these as errors too). */
  private postingBlock(user: EmulatorUser): ApiFailure | undefined {
    if (user.bannedFromPosting) return failure(403, 'spam_risk_user_banned_from_posting', 'The user is banned from posting.');
    if (this.postsInLastDay(user.openId).length >= user.dailyPostCap) {
      return failure(403, 'spam_risk_too_many_posts', 'The daily post cap from the API is reached for the current user.');
    }
    const cap = this.activeUserCap();
    if (cap !== undefined) {
      const since = this.clock.now() - 24 * 3600 * 1000;
      const active = new Set([...this.publishes.values()].filter((publish) => publish.createdAt > since).map((publish) => publish.openId));
      if (!active.has(user.openId) && active.size >= cap) {
        return failure(403, 'reached_active_user_cap', "The daily quota of active publishing users for the client is reached.");
      }
    }
    return undefined;
  }

  creatorInfo(auth: Authenticated): Result<Record<string, unknown>> {
    if (!auth.grant.scopes.includes('video.publish')) {
      return fail(401, 'scope_not_authorized', 'The user did not authorize the video.publish scope.');
    }
    const block = this.postingBlock(auth.user);
    if (block) return { ok: false, failure: block };
    const u = auth.user;
    return ok({
      creator_avatar_url: u.avatarUrl,
      creator_username: u.username,
      creator_nickname: u.displayName,
      privacy_level_options: u.privacyLevelOptions,
      comment_disabled: u.commentDisabled,
      duet_disabled: u.duetDisabled,
      stitch_disabled: u.stitchDisabled,
      max_video_post_duration_sec: u.maxVideoPostDurationSec,
    });
  }

  private isVerifiedUrl(videoUrl: string): boolean {
    let url: URL;
    try {
      url = new URL(videoUrl);
    } catch {
      return false;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
    return this.app.verifiedUrlPrefixes.some((prefix) =>
      /^[a-z]+:\/\//i.test(prefix) ? url.href.startsWith(prefix) : url.hostname === prefix || url.hostname.endsWith(`.${prefix}`),
    );
  }

  private checkSource(source: z.output<typeof sourceInfoSchema>): ApiFailure | undefined {
    if (source.source === 'PULL_FROM_URL') {
      if (!this.isVerifiedUrl(source.video_url)) {
        return failure(403, 'url_ownership_unverified', 'The video URL is not under a domain or URL prefix verified for this app.');
      }
      return undefined;
    }
    const { video_size: size, chunk_size: chunk, total_chunk_count: count } = source;
    const invalid = (message: string) => failure(400, 'invalid_params', message);
    if (size > MAX_VIDEO_SIZE) return invalid('video_size exceeds 4 GB.');
    if (size > this.options.download.maxBytes) return invalid(`video_size exceeds the emulator's limit of ${this.options.download.maxBytes} bytes.`);
    if (size < MIN_CHUNK_SIZE) {
      if (chunk !== size || count !== 1) return invalid('Videos under 5 MB must be uploaded whole: chunk_size must equal video_size.');
      return undefined;
    }
    if (chunk > size) return invalid('chunk_size cannot exceed video_size.');
    if (chunk < MIN_CHUNK_SIZE || chunk > MAX_CHUNK_SIZE) return invalid('chunk_size must be between 5 MB and 64 MB.');
    if (count !== Math.floor(size / chunk)) return invalid('total_chunk_count must be video_size / chunk_size rounded down.');
    // With count = floor(size / chunk) the final chunk is under 2 × 64 MB, so TikTok's 128 MB limit always holds.
    if (count > MAX_CHUNK_COUNT) return invalid('total_chunk_count must be between 1 and 1000.');
    return undefined;
  }

  /** Both inits: every check TikTok documents, then the publish is created (and, for URLs, its download starts). */
  init(auth: Authenticated, mode: 'direct' | 'inbox', body: unknown): Result<{ publish_id: string; upload_url?: string }> {
    const scope = mode === 'direct' ? 'video.publish' : 'video.upload';
    if (!auth.grant.scopes.includes(scope)) return fail(401, 'scope_not_authorized', `The user did not authorize the ${scope} scope.`);
    let postInfo: z.output<typeof directInitSchema>['post_info'] | undefined;
    let sourceInput: unknown;
    if (mode === 'direct') {
      const parsed = directInitSchema.safeParse(body);
      if (!parsed.success) return fail(400, 'invalid_params', zodMessage(parsed.error));
      postInfo = parsed.data.post_info;
      sourceInput = parsed.data.source_info;
    } else {
      sourceInput = (body as { source_info?: unknown } | null)?.source_info;
    }
    const source = sourceInfoSchema.safeParse(sourceInput);
    if (!source.success) return fail(400, 'invalid_params', zodMessage(source.error));
    const user = auth.user;
    const block = this.postingBlock(user);
    if (block) return { ok: false, failure: block };
    let privacyLevel: TikTokPrivacyLevel | undefined;
    if (postInfo) {
      const level = privacyLevelSchema.safeParse(postInfo.privacy_level);
      if (!level.success) return fail(400, 'invalid_params', `privacy_level ${postInfo.privacy_level} is not a privacy level.`);
      privacyLevel = level.data;
      if ((postInfo.title ?? '').length > 2200) return fail(400, 'invalid_params', 'title exceeds 2200 characters.');
      // Direct Post guidelines: an unaudited client posts SELF_ONLY only, and only from accounts set to private.
      if (!this.app.audited && (privacyLevel !== 'SELF_ONLY' || !user.accountPrivate)) {
        return fail(403, 'unaudited_client_can_only_post_to_private_accounts', 'Unaudited clients can only post SELF_ONLY content from private accounts.');
      }
      if (!user.privacyLevelOptions.includes(privacyLevel)) {
        return fail(403, 'privacy_level_option_mismatch', `privacy_level ${privacyLevel} is not among the creator's options.`);
      }
      if (postInfo.brand_content_toggle && privacyLevel === 'SELF_ONLY') {
        return fail(400, 'invalid_params', 'Branded content cannot be posted with SELF_ONLY privacy.');
      }
    } else {
      if (user.inboxAppOutdated) return fail(403, 'app_version_check_failed', "The user's TikTok app version is too old to receive drafts.");
      const waiting = [...this.publishes.values()].filter(
        (publish) => publish.openId === user.openId && publish.mode === 'inbox' && !publish.inboxCleared && publish.status !== 'FAILED',
      );
      if (waiting.length >= user.pendingInboxLimit) {
        return fail(403, 'spam_risk_too_many_pending_share', 'Too many pending shares are waiting in the user inbox.');
      }
    }
    const sourceFailure = this.checkSource(source.data);
    if (sourceFailure) return { ok: false, failure: sourceFailure };

    const pull = source.data.source === 'PULL_FROM_URL';
    const kind = `${mode === 'direct' ? 'v_pub' : 'v_inbox'}_${pull ? 'url' : 'file'}`;
    const publish: PublishRecord = {
      publishId: `${kind}~v2-1.${this.ids.digits(19)}`,
      openId: user.openId,
      mode,
      source: source.data.source,
      privacyLevel,
      postInfo: postInfo,
      videoUrl: source.data.source === 'PULL_FROM_URL' ? source.data.video_url : undefined,
      videoSize: source.data.source === 'FILE_UPLOAD' ? source.data.video_size : undefined,
      chunkSize: source.data.source === 'FILE_UPLOAD' ? source.data.chunk_size : undefined,
      totalChunkCount: source.data.source === 'FILE_UPLOAD' ? source.data.total_chunk_count : undefined,
      uploadUrl: undefined,
      status: pull ? 'PROCESSING_DOWNLOAD' : 'PROCESSING_UPLOAD',
      failReason: undefined,
      uploadedBytes: 0,
      downloadedBytes: 0,
      postIds: [],
      createdAt: this.clock.now(),
      video: undefined,
      readyAt: undefined,
      postIdAt: undefined,
      outcome: undefined,
      inboxCleared: false,
    };
    this.publishes.set(publish.publishId, publish);
    if (source.data.source === 'PULL_FROM_URL') {
      void this.track(this.download(publish));
      return ok({ publish_id: publish.publishId });
    }
    const uploadId = this.ids.hex(24);
    const session: UploadSession = {
      publishId: publish.publishId,
      token: this.ids.hex(32),
      expiresAt: this.clock.now() + this.app.uploadUrlLifetimeSec * 1000,
      videoSize: source.data.video_size,
      chunkSize: source.data.chunk_size,
      totalChunkCount: source.data.total_chunk_count,
      nextChunk: 0,
      parts: [],
    };
    this.uploads.set(uploadId, session);
    publish.uploadUrl = `${this.baseUrl}/upload/video/?upload_id=${uploadId}&upload_token=${session.token}`;
    return ok({ publish_id: publish.publishId, upload_url: publish.uploadUrl });
  }

  status(auth: Authenticated, body: unknown): Result<Record<string, unknown>> {
    if (!auth.grant.scopes.includes('video.publish') && !auth.grant.scopes.includes('video.upload')) {
      return fail(401, 'scope_not_authorized', 'The user did not authorize video.publish or video.upload.');
    }
    const publishId = (body as { publish_id?: unknown } | null)?.publish_id;
    if (typeof publishId !== 'string' || publishId.length === 0) return fail(400, 'invalid_params', 'publish_id is required.');
    const publish = this.publishes.get(publishId);
    if (!publish || publish.openId !== auth.user.openId) return fail(400, 'invalid_params', 'publish_id does not exist.');
    const data: Record<string, unknown> = {
      status: publish.status,
      ...(publish.failReason !== undefined && { fail_reason: publish.failReason }),
      // TikTok's spelling.
      publicaly_available_post_id: publish.postIds.map(int64),
      ...(publish.source === 'FILE_UPLOAD' ? { uploaded_bytes: publish.uploadedBytes } : { downloaded_bytes: publish.downloadedBytes }),
    };
    return ok(data);
  }

  // ---------------------------------------------------------------- media transfer

  /** PUT {upload_url}: one chunk, in order, with TikTok's chunk rules. 206 per chunk, 201 after the last. */
  uploadChunk(query: URLSearchParams, headers: { contentType?: string; contentRange?: string }, bytes: Uint8Array): Result<{ status: 201 | 206 }> {
    const session = this.uploads.get(query.get('upload_id') ?? '');
    const publish = session ? this.publishes.get(session.publishId) : undefined;
    if (!session || !publish || !safeEqual(query.get('upload_token') ?? '', session.token)) {
      return fail(404, 'invalid_file_upload', 'The upload URL is not valid.');
    }
    if (session.expiresAt <= this.clock.now()) return fail(403, 'invalid_file_upload', 'The upload URL has expired.');
    const accepted = acceptChunk(session, headers, bytes, publish.status === 'PROCESSING_UPLOAD');
    if (!accepted.ok) return accepted;
    publish.uploadedBytes = accepted.value.uploadedBytes;
    if (accepted.value.file) this.bytesComplete(publish, accepted.value.file);
    return ok({ status: accepted.value.status });
  }

  private async download(publish: PublishRecord): Promise<void> {
    const controller = new AbortController();
    this.downloads.add(controller);
    const bytes = await downloadVideo(
      publish.videoUrl!,
      { maxBytes: this.options.download.maxBytes, timeoutMs: this.options.download.timeoutMs, signal: controller.signal },
      (total) => {
        publish.downloadedBytes = total;
      },
    );
    this.downloads.delete(controller);
    // The post may have failed meanwhile (authorization removed); then the bytes no longer matter.
    if (publish.status !== 'PROCESSING_DOWNLOAD') return;
    if (bytes) this.bytesComplete(publish, bytes);
    else this.failPublish(publish, 'video_pull_failed');
  }

  /** All bytes are in: decide the outcome now (media checks or a forced reason), apply it when processing ends. */
  private bytesComplete(publish: PublishRecord, bytes: Uint8Array): void {
    if (!publish.status.startsWith('PROCESSING_')) return;
    const user = this.findUser(publish.openId);
    publish.video = probeVideo(bytes);
    const forced = this.forcedFailReasons.shift();
    publish.outcome = forced ?? checkVideo(publish.video, user?.maxVideoPostDurationSec ?? 600);
    const { baseMs, msPerMiB } = this.options.processing;
    const extraMs = this.extraProcessingMs.shift() ?? 0;
    publish.readyAt = this.clock.now() + (baseMs + extraMs + (bytes.byteLength / MIB) * msPerMiB) / this.speed;
    this.pump();
  }

  private publishType(publish: PublishRecord): string {
    return publish.mode === 'direct' ? 'DIRECT_PUBLISH' : 'INBOX_SHARE';
  }

  private failPublish(publish: PublishRecord, reason: string): void {
    publish.status = 'FAILED';
    publish.failReason = reason;
    publish.readyAt = undefined;
    publish.postIdAt = undefined;
    this.webhooks.enqueue(this.app, publish.openId, 'post.publish.failed', {
      publish_id: publish.publishId,
      reason,
      publish_type: this.publishType(publish),
    });
  }

  private finishProcessing(publish: PublishRecord): void {
    if (publish.outcome) {
      this.failPublish(publish, publish.outcome);
      return;
    }
    const content = { publish_id: publish.publishId, publish_type: this.publishType(publish) };
    if (publish.mode === 'inbox') {
      publish.status = 'SEND_TO_USER_INBOX';
      this.webhooks.enqueue(this.app, publish.openId, 'post.publish.inbox_delivered', content);
      return;
    }
    publish.status = 'PUBLISH_COMPLETE';
    this.webhooks.enqueue(this.app, publish.openId, 'post.publish.complete', content);
    // Only public posts go through moderation and get a public id; the others never do.
    if (publish.privacyLevel === 'PUBLIC_TO_EVERYONE') {
      publish.postIdAt = publish.readyAt! + this.options.processing.moderationDelayMs / this.speed;
    }
  }

  private makePubliclyAvailable(publish: PublishRecord): void {
    const postId = `7${this.ids.digits(18)}`;
    publish.postIds.push(postId);
    this.webhooks.enqueue(this.app, publish.openId, 'post.publish.publicly_available', {
      publish_id: publish.publishId,
      post_id: int64(postId),
      publish_type: this.publishType(publish),
    });
  }

  webhookDeliveries(): WebhookDelivery[] {
    return this.webhooks.list();
  }
}
