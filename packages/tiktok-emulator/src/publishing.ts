import type { TikTokPrivacyLevel } from '@reelpost/tiktok';
import type { EmulatorClock } from './clock.js';
import type { IdSource } from './ids.js';
import { checkVideo, probeVideo } from './media.js';
import { acceptChunk, downloadVideo, receivedRange, type UploadSession } from './media-transfer.js';
import { pullPhotos } from './photo-media.js';
import type { EmulatorApp, ResolvedEmulatorOptions } from './options.js';
import type { PublishRecord } from './publish-record.js';
import type { EmulatorUser } from './users.js';
import type { WebhookSender } from './webhook-sender.js';
import { fail, failure, int64, ok, safeEqual, type ApiFailure, type Result } from './wire.js';

// The life of a publish: both inits, the bytes (chunks or a pull), processing on the emulator's clock, the result,
// moderation, and for inbox drafts what the creator does in the TikTok app (post, drop) and a post taken down later.

const MIB = 1024 * 1024;
const DAY_MS = 24 * 3600 * 1000;
/** Upload page: "videos may be up to 10 minutes" for drafts, whatever the creator's direct-post maximum is. */
export const INBOX_MAX_DURATION_SEC = 600;

export interface PublishingDeps {
  options: ResolvedEmulatorOptions;
  clock: EmulatorClock;
  webhooks: WebhookSender;
  app: () => EmulatorApp;
  ids: () => IdSource;
  findUser: (openIdOrUsername: string) => EmulatorUser | undefined;
  track: <T>(work: Promise<T>) => Promise<T>;
  baseUrl: () => string;
}

export class Publishing {
  private publishes = new Map<string, PublishRecord>();
  private uploads = new Map<string, UploadSession>();
  private forcedFailReasons: string[] = [];
  private extraProcessingMs: number[] = [];
  private pausedAt: number | undefined;
  private speed: number;
  private readonly downloads = new Set<AbortController>();

  constructor(private readonly deps: PublishingDeps) {
    this.speed = deps.options.processing.speed;
  }

  private get clock(): EmulatorClock {
    return this.deps.clock;
  }

  private get app(): EmulatorApp {
    return this.deps.app();
  }

  reset(): void {
    this.publishes.clear();
    this.uploads.clear();
    this.clearFaults();
    this.pausedAt = undefined;
    this.speed = this.deps.options.processing.speed;
    this.abortDownloads();
  }

  abortDownloads(): void {
    for (const controller of this.downloads) controller.abort();
    this.downloads.clear();
  }

  clearFaults(): void {
    this.forcedFailReasons = [];
    this.extraProcessingMs = [];
  }

  failNextPublish(reason: string, count = 1): void {
    for (let i = 0; i < count; i += 1) this.forcedFailReasons.push(reason);
  }

  slowNextPublish(extraMs: number, count = 1): void {
    for (let i = 0; i < count; i += 1) this.extraProcessingMs.push(extraMs);
  }

  // ---------------------------------------------------------------- time

  /** Applies what has become due: processing results and moderation. */
  pump(): void {
    if (this.pausedAt !== undefined) return;
    const now = this.clock.now();
    for (const publish of this.publishes.values()) {
      if (publish.readyAt !== undefined && publish.readyAt <= now && publish.status.startsWith('PROCESSING_')) this.finishProcessing(publish, publish.readyAt);
      const moderatedAt = this.moderationEndOf(publish);
      if (moderatedAt !== undefined && moderatedAt <= now) this.makePubliclyAvailable(publish);
    }
  }

  nextDueAt(): number | undefined {
    if (this.pausedAt !== undefined) return undefined;
    let next: number | undefined;
    for (const publish of this.publishes.values()) {
      if (publish.readyAt !== undefined && publish.status.startsWith('PROCESSING_')) next = Math.min(next ?? Infinity, publish.readyAt);
      const moderatedAt = this.moderationEndOf(publish);
      if (moderatedAt !== undefined) next = Math.min(next ?? Infinity, moderatedAt);
    }
    return next;
  }

  /** When moderation makes this published post public, while it still waits for that. */
  private moderationEndOf(publish: PublishRecord): number | undefined {
    return publish.postIds.length === 0 && publish.status === 'PUBLISH_COMPLETE' ? publish.postIdAt : undefined;
  }

  pause(): void {
    this.pausedAt ??= this.clock.now();
  }

  resume(): void {
    if (this.pausedAt === undefined) return;
    const pausedFor = this.clock.now() - this.pausedAt;
    this.pausedAt = undefined;
    for (const publish of this.publishes.values()) {
      if (publish.readyAt !== undefined && publish.status.startsWith('PROCESSING_')) publish.readyAt += pausedFor;
      if (publish.postIdAt !== undefined && publish.postIds.length === 0) publish.postIdAt += pausedFor;
    }
    this.pump();
  }

  get paused(): boolean {
    return this.pausedAt !== undefined;
  }

  setSpeed(speed: number): void {
    if (!(speed > 0)) throw new Error('speed must be positive');
    this.speed = speed;
  }

  list(): PublishRecord[] {
    return [...this.publishes.values()].map((publish) => ({ ...publish, postIds: [...publish.postIds] }));
  }

  // ---------------------------------------------------------------- posting limits

  private createdSince(since: number, openId?: string): PublishRecord[] {
    return [...this.publishes.values()].filter((publish) => publish.createdAt > since && (openId === undefined || publish.openId === openId));
  }

  /** Why this creator cannot post now, if they cannot (creator info answers these too, with HTTP 200). */
  postingBlock(user: EmulatorUser): ApiFailure | undefined {
    if (user.bannedFromPosting) return failure(403, 'spam_risk_user_banned_from_posting', 'The user is banned from posting.');
    const since = this.clock.now() - DAY_MS;
    if (this.createdSince(since, user.openId).length >= user.dailyPostCap) {
      return failure(403, 'spam_risk_too_many_posts', 'The daily post cap from the API is reached for the current user.');
    }
    const cap = this.app.activeUserCap ?? (this.app.audited ? undefined : 5);
    if (cap !== undefined) {
      const active = new Set(this.createdSince(since).map((publish) => publish.openId));
      if (!active.has(user.openId) && active.size >= cap) {
        return failure(403, 'reached_active_user_cap', 'The daily quota of active publishing users for the client is reached.');
      }
    }
    return undefined;
  }

  /** Drafts sent within the last 24 h that still wait for the creator (Upload page: at most 5). */
  pendingShares(openId: string): number {
    return this.createdSince(this.clock.now() - DAY_MS, openId).filter((publish) => publish.mode === 'inbox' && publish.draft === 'pending' && publish.status !== 'FAILED')
      .length;
  }

  // ---------------------------------------------------------------- new publishes

  get(publishId: string): PublishRecord | undefined {
    return this.publishes.get(publishId);
  }

  /** Registers an accepted init: a pull starts downloading; an upload gets its URL (valid uploadUrlLifetimeSec). */
  create(publish: PublishRecord): PublishRecord {
    publish.injected = { failReason: this.forcedFailReasons.shift(), extraProcessingMs: this.extraProcessingMs.shift() ?? 0 };
    this.publishes.set(publish.publishId, publish);
    if (publish.source === 'PULL_FROM_URL') {
      void this.deps.track(this.download(publish));
      return publish;
    }
    const uploadId = this.deps.ids().hex(24);
    const session: UploadSession = {
      publishId: publish.publishId,
      token: this.deps.ids().hex(32),
      expiresAt: this.clock.now() + this.app.uploadUrlLifetimeSec * 1000,
      videoSize: publish.videoSize,
      chunkSize: publish.chunkSize,
      totalChunkCount: publish.totalChunkCount,
      nextChunk: 0,
      parts: [],
    };
    this.uploads.set(uploadId, session);
    publish.uploadUrl = `${this.deps.baseUrl()}/upload/video/?upload_id=${uploadId}&upload_token=${session.token}`;
    return publish;
  }

  // ---------------------------------------------------------------- bytes

  /** PUT {upload_url}: one chunk, in order, with TikTok's chunk rules. 206 per chunk, 201 after the last. */
  uploadChunk(
    query: URLSearchParams,
    headers: { contentType?: string; contentRange?: string },
    bytes: Uint8Array,
  ): Result<{ status: 201 | 206; uploadedBytes: number; totalBytes: number }> {
    const session = this.uploads.get(query.get('upload_id') ?? '');
    const publish = session ? this.publishes.get(session.publishId) : undefined;
    if (!session || !publish || !safeEqual(query.get('upload_token') ?? '', session.token)) {
      return fail(404, 'invalid_file_upload', 'The upload URL is not valid.');
    }
    if (session.expiresAt <= this.clock.now()) return fail(403, 'invalid_file_upload', 'The upload URL has expired.');
    const accepted = acceptChunk(session, headers, bytes, publish.status === 'PROCESSING_UPLOAD');
    if (!accepted.ok) return accepted;
    publish.uploadedBytes = accepted.value.uploadedBytes;
    const file = accepted.value.file;
    if (file) this.bytesComplete(publish, file.byteLength, () => this.checkVideoOf(publish, file));
    return ok({ status: accepted.value.status, uploadedBytes: accepted.value.uploadedBytes, totalBytes: session.videoSize });
  }

  /** The Content-Range for a 206 or 416 answer on this upload URL, if it names a known upload. */
  uploadRange(query: URLSearchParams): string | undefined {
    const session = this.uploads.get(query.get('upload_id') ?? '');
    return session && safeEqual(query.get('upload_token') ?? '', session.token) ? receivedRange(session) : undefined;
  }

  private async download(publish: PublishRecord): Promise<void> {
    const controller = new AbortController();
    this.downloads.add(controller);
    const limits = { maxBytes: this.deps.options.download.maxBytes, timeoutMs: this.deps.options.download.timeoutMs, signal: controller.signal };
    const onBytes = (total: number) => {
      publish.downloadedBytes = total;
    };
    const photos = publish.photo ? await pullPhotos(publish.photo.images, limits, onBytes) : undefined;
    const bytes = publish.videoUrl === undefined ? undefined : await downloadVideo(publish.videoUrl, limits, onBytes);
    this.downloads.delete(controller);
    // The post may have failed meanwhile (authorization removed); then the bytes no longer matter.
    if (publish.status !== 'PROCESSING_DOWNLOAD') return;
    if (photos) this.bytesComplete(publish, photos.totalBytes, () => photos.outcome);
    else if (bytes) this.bytesComplete(publish, bytes.byteLength, () => this.checkVideoOf(publish, bytes));
    else this.failPublish(publish, publish.photo ? 'photo_pull_failed' : 'video_pull_failed');
  }

  private checkVideoOf(publish: PublishRecord, bytes: Uint8Array): string | undefined {
    const user = this.deps.findUser(publish.openId);
    publish.video = probeVideo(bytes);
    // Drafts may run 10 minutes (the creator trims them in the app); direct posts obey creator info's maximum.
    const maxDuration = publish.mode === 'inbox' ? INBOX_MAX_DURATION_SEC : (user?.maxVideoPostDurationSec ?? 600);
    return checkVideo(publish.video, maxDuration);
  }

  /** All bytes are in: decide the outcome now (media checks or a forced reason), apply it when processing ends. */
  private bytesComplete(publish: PublishRecord, size: number, check: () => string | undefined): void {
    if (!publish.status.startsWith('PROCESSING_')) return;
    const checked = check();
    publish.outcome = publish.injected.failReason ?? checked;
    const { baseMs, msPerMiB } = this.deps.options.processing;
    publish.readyAt = this.clock.now() + (baseMs + publish.injected.extraProcessingMs + (size / MIB) * msPerMiB) / this.speed;
    this.pump();
  }

  // ---------------------------------------------------------------- outcomes and webhooks

  private content(publish: PublishRecord, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { publish_id: publish.publishId, publish_type: publish.mode === 'direct' ? 'DIRECT_PUBLISH' : 'INBOX_SHARE', ...extra };
  }

  failPublish(publish: PublishRecord, reason: string): void {
    publish.status = 'FAILED';
    publish.failReason = reason;
    publish.readyAt = undefined;
    publish.postIdAt = undefined;
    this.deps.webhooks.enqueue(this.app, publish.openId, 'post.publish.failed', this.content(publish, { reason }));
    // A draft that never reached the inbox is also reported as a failed upload, named only by share_id (Webhook
    // Events page example); the emulator uses the publish_id as the share id.
    if (publish.mode === 'inbox') this.deps.webhooks.enqueue(this.app, publish.openId, 'video.upload.failed', { share_id: publish.publishId });
  }

  /** Processing of a user's posts fails with auth_removed (the authorization ended). */
  failProcessingOf(openId: string, reason: string): void {
    for (const publish of this.publishes.values()) {
      if (publish.openId === openId && publish.status.startsWith('PROCESSING_')) this.failPublish(publish, reason);
    }
  }

  private finishProcessing(publish: PublishRecord, readyAt: number): void {
    if (publish.outcome) {
      this.failPublish(publish, publish.outcome);
      return;
    }
    if (publish.mode === 'inbox') {
      publish.status = 'SEND_TO_USER_INBOX';
      this.deps.webhooks.enqueue(this.app, publish.openId, 'post.publish.inbox_delivered', this.content(publish));
      return;
    }
    this.complete(publish, readyAt);
  }

  /** PUBLISH_COMPLETE and its webhook; only public posts go through moderation and get a public id. */
  private complete(publish: PublishRecord, at: number): void {
    publish.status = 'PUBLISH_COMPLETE';
    this.deps.webhooks.enqueue(this.app, publish.openId, 'post.publish.complete', this.content(publish));
    if (publish.privacyLevel === 'PUBLIC_TO_EVERYONE') {
      publish.postIdAt = at + this.deps.options.processing.moderationDelayMs / this.speed;
    }
  }

  private makePubliclyAvailable(publish: PublishRecord): void {
    const postId = `7${this.deps.ids().digits(18)}`;
    publish.postIds.push(postId);
    this.deps.webhooks.enqueue(this.app, publish.openId, 'post.publish.publicly_available', this.content(publish, { post_id: int64(postId) }));
  }

  private draftOf(publishId: string): PublishRecord {
    const publish = this.publishes.get(publishId);
    if (!publish || publish.mode !== 'inbox') throw new Error(`no inbox draft ${publishId}`);
    if (publish.status !== 'SEND_TO_USER_INBOX' || publish.draft !== 'pending') {
      throw new Error(`draft ${publishId} is not waiting in the inbox (status ${publish.status}, ${publish.draft})`);
    }
    return publish;
  }

  /**
   * The creator opens the draft in the TikTok app and posts it with the privacy level they choose there (public by
   * default when offered): PUBLISH_COMPLETE, post.publish.complete, and for a public post the id after moderation.
   */
  publishInboxDraft(publishId: string, options: { privacyLevel?: TikTokPrivacyLevel } = {}): PublishRecord {
    const publish = this.draftOf(publishId);
    const offered = this.deps.findUser(publish.openId)?.privacyLevelOptions ?? [];
    const privacyLevel = options.privacyLevel ?? (offered.includes('PUBLIC_TO_EVERYONE') ? 'PUBLIC_TO_EVERYONE' : 'SELF_ONLY');
    publish.draft = 'posted';
    publish.privacyLevel = privacyLevel;
    this.complete(publish, this.clock.now());
    return { ...publish, postIds: [...publish.postIds] };
  }

  /** The creator discards the draft: nothing is sent and the status stays SEND_TO_USER_INBOX (assumed). */
  dropInboxDraft(publishId: string): PublishRecord {
    const publish = this.draftOf(publishId);
    publish.draft = 'dropped';
    return { ...publish, postIds: [...publish.postIds] };
  }

  /** Every draft of the user still waiting is dropped (the person cleared their inbox); answers how many. */
  clearInbox(openId: string): number {
    const waiting = [...this.publishes.values()].filter(
      (publish) => publish.openId === openId && publish.mode === 'inbox' && publish.draft === 'pending' && publish.status === 'SEND_TO_USER_INBOX',
    );
    for (const publish of waiting) this.dropInboxDraft(publish.publishId);
    return waiting.length;
  }

  /** A published post is taken down or made private: post.publish.no_longer_publicaly_available with its id. */
  takeDownPost(publishId: string): PublishRecord {
    const publish = this.publishes.get(publishId);
    if (!publish || publish.status !== 'PUBLISH_COMPLETE') throw new Error(`no published post ${publishId}`);
    if (publish.takenDown) throw new Error(`post ${publishId} was taken down already`);
    const postId = publish.postIds[0];
    if (postId === undefined) throw new Error(`post ${publishId} has no public post id (private, or still in moderation)`);
    publish.takenDown = true;
    this.deps.webhooks.enqueue(this.app, publish.openId, 'post.publish.no_longer_publicaly_available', this.content(publish, { post_id: int64(postId) }));
    return { ...publish, postIds: [...publish.postIds] };
  }
}
