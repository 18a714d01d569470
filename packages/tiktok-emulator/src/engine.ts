import type { z } from 'zod';
import {
  isRateLimitedEndpoint,
  RATE_LIMIT_WINDOW_MS,
  SlidingWindowLog,
  TIKTOK_RATE_LIMITS_PER_MINUTE,
  type TikTokEndpoint,
  type TikTokPrivacyLevel,
  tokenFingerprint,
  USER_INFO_FIELDS,
} from '@reelpost/tiktok';
import { AuthorizationServer, type Authenticated } from './authorization.js';
import type { EmulatorClock } from './clock.js';
import { createIdSource, type IdSource } from './ids.js';
import { emulatorAppSchema, type EmulatorApp, type EmulatorFault, type emulatorUserSchema, type ResolvedEmulatorOptions } from './options.js';
import { initPhotoPublish } from './photo-init.js';
import { fetchStatus, initPublish } from './posting-api.js';
import type { PublishRecord } from './publish-record.js';
import { Publishing } from './publishing.js';
import { createEmulatorUser, DEFAULT_USERS, privacyOptionsFor, type EmulatorUser } from './users.js';
import { WebhookSender, type WebhookDelivery } from './webhook-sender.js';
import { fail, failure, ok, type ApiFailure, type Result } from './wire.js';

// The emulator's TikTok: users, rate limits, faults and the call log; grants and tokens live in the
// AuthorizationServer, publishes and their processing in Publishing. It knows nothing about HTTP; the routes
// translate requests into calls on it and its answers into responses.

export type { PublishRecord };

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

export class EmulatorEngine {
  app!: EmulatorApp;
  ids!: IdSource;
  private users: EmulatorUser[] = [];
  private readonly rateWindow: SlidingWindowLog;
  private faults = new Map<TikTokEndpoint, EmulatorFault[]>();
  private callLog: CallRecord[] = [];
  /** The authorize page asks a person to pick a test user instead of consenting at once. */
  consentPage = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  readonly webhooks: WebhookSender;
  readonly auth: AuthorizationServer;
  readonly publishing: Publishing;
  private readonly stopController = new AbortController();
  baseUrl = '';

  constructor(
    private readonly options: ResolvedEmulatorOptions,
    readonly clock: EmulatorClock,
  ) {
    this.rateWindow = new SlidingWindowLog(RATE_LIMIT_WINDOW_MS * options.rateLimits.windowScale);
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
    this.publishing = new Publishing({
      options,
      clock,
      webhooks: this.webhooks,
      app: () => this.app,
      ids: () => this.ids,
      findUser: (who) => this.findUser(who),
      track: (work) => this.track(work),
      baseUrl: () => this.baseUrl,
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
    this.publishing.reset();
    this.rateWindow.clear();
    this.faults.clear();
    this.callLog = [];
    this.consentPage = this.options.consentPage;
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
    this.publishing.abortDownloads();
  }

  /** Applies everything that has become due: processing results, moderation, webhook deliveries. */
  pump(): void {
    this.publishing.pump();
    this.webhooks.deliverDue(this.app);
  }

  /** The earliest moment something is scheduled to happen (processing end, moderation, a webhook attempt). */
  nextDueAt(): number | undefined {
    const publishing = this.publishing.nextDueAt();
    const webhooks = this.webhooks.nextDueAt();
    if (publishing === undefined) return webhooks;
    return webhooks === undefined ? publishing : Math.min(publishing, webhooks);
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
        : {
            privacyLevelOptions: privacyOptionsFor(patch.accountPrivate),
            duetDisabled: patch.accountPrivate || user.duetDisabled,
            stitchDisabled: patch.accountPrivate || user.stitchDisabled,
          };
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
    this.publishing.clearFaults();
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

  /**
   * The person removed the app (or the app revoked them): every grant of the user ends, posts still processing fail
   * with auth_removed, and an authorization.removed webhook goes out.
   */
  endAuthorization(openIdOrUsername: string, reason = 1): number {
    const user = this.findUser(openIdOrUsername);
    if (!user) throw new Error(`no test user ${openIdOrUsername}`);
    const ended = this.auth.revokeGrantsOf(user.openId);
    this.publishing.failProcessingOf(user.openId, 'auth_removed');
    this.webhooks.enqueue(this.app, user.openId, 'authorization.removed', { reason });
    return ended;
  }

  // ---------------------------------------------------------------- API calls

  /** TikTok's sliding one-minute window per token and endpoint (scaled for load tests). */
  checkRateLimit(accessToken: string, endpoint: TikTokEndpoint): ApiFailure | undefined {
    if (!this.options.rateLimits.enabled || !isRateLimitedEndpoint(endpoint)) return undefined;
    const limit = this.options.rateLimits.limits[endpoint] ?? TIKTOK_RATE_LIMITS_PER_MINUTE[endpoint];
    if (this.rateWindow.tryRecord(`${tokenFingerprint(accessToken)}:${endpoint}`, limit, this.clock.now())) return undefined;
    return failure(429, 'rate_limit_exceeded', 'The API rate limit was exceeded. Please try again later.');
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
    if (missing) return fail(400, 'scope_permission_missed', `Field ${missing} needs the ${needs(missing)} scope.`);
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

  creatorInfo(auth: Authenticated): Result<Record<string, unknown>> {
    if (!auth.grant.scopes.includes('video.publish')) {
      return fail(401, 'scope_not_authorized', 'The user did not authorize the video.publish scope.');
    }
    // Query Creator Info: a creator who cannot post now is answered with HTTP 200 and the code in error.code
    // ("intentional", the page says), unlike the inits' 403.
    const block = this.publishing.postingBlock(auth.user);
    if (block) return { ok: false, failure: { ...block, status: 200 } };
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

  init(auth: Authenticated, mode: 'direct' | 'inbox' | 'photo', body: unknown): Result<{ publish_id: string; upload_url?: string }> {
    const context = { publishing: this.publishing, app: this.app, ids: this.ids, clock: this.clock, maxBytes: this.options.download.maxBytes };
    return mode === 'photo' ? initPhotoPublish(context, auth, body) : initPublish(context, auth, mode, body);
  }

  status(auth: Authenticated, body: unknown): Result<Record<string, unknown>> {
    return fetchStatus(this.publishing, auth, body);
  }

  webhookDeliveries(): WebhookDelivery[] {
    return this.webhooks.list();
  }

  /** The person posts, or drops, the drafts waiting in their inbox. */
  clearInbox(openIdOrUsername: string): number {
    const user = this.findUser(openIdOrUsername);
    if (!user) throw new Error(`no test user ${openIdOrUsername}`);
    return this.publishing.clearInbox(user.openId);
  }

  publishInboxDraft(publishId: string, options?: { privacyLevel?: TikTokPrivacyLevel }): PublishRecord {
    const published = this.publishing.publishInboxDraft(publishId, options);
    this.pump();
    return published;
  }
}
