import type { TikTokPrivacyLevel } from '@reelpost/tiktok';
import type { Authenticated } from './authorization.js';
import type { EmulatorClock } from './clock.js';
import type { IdSource } from './ids.js';
import { checkPostInfo, checkSource, directInitSchema, INVALID_PARAM, sourceInfoSchema, zodMessage, type DirectPostInfo } from './init-checks.js';
import type { EmulatorApp } from './options.js';
import { newPublish } from './publish-record.js';
import type { Publishing } from './publishing.js';
import type { EmulatorUser } from './users.js';
import { fail, int64, ok, type Result } from './wire.js';

// The Content Posting endpoints that create and read publishes: both inits (Direct Post, Upload) and status fetch,
// with the codes and HTTP statuses of TikTok's pages.

export interface PostingApiContext {
  publishing: Publishing;
  app: EmulatorApp;
  ids: IdSource;
  clock: EmulatorClock;
  maxBytes: number;
}

/** Both inits: every check TikTok documents, then the publish is created (and, for URLs, its download starts). */
export function initPublish(
  ctx: PostingApiContext,
  auth: Authenticated,
  mode: 'direct' | 'inbox',
  body: unknown,
): Result<{ publish_id: string; upload_url?: string }> {
  const scope = mode === 'direct' ? 'video.publish' : 'video.upload';
  if (!auth.grant.scopes.includes(scope)) return fail(401, 'scope_not_authorized', `The user did not authorize the ${scope} scope.`);
  let postInfo: DirectPostInfo | undefined;
  let sourceInput: unknown;
  if (mode === 'direct') {
    const parsed = directInitSchema.safeParse(body);
    if (!parsed.success) return fail(400, INVALID_PARAM, zodMessage(parsed.error));
    postInfo = parsed.data.post_info;
    sourceInput = parsed.data.source_info;
  } else {
    sourceInput = (body as { source_info?: unknown } | null)?.source_info;
  }
  const source = sourceInfoSchema.safeParse(sourceInput);
  if (!source.success) return fail(400, INVALID_PARAM, zodMessage(source.error));
  const user = auth.user;
  const allowed = checkCreatorMayPost(ctx, user, postInfo);
  if (!allowed.ok) return allowed;
  const { privacyLevel } = allowed.value;
  const sourceFailure = checkSource(ctx.app, ctx.maxBytes, source.data);
  if (sourceFailure) return { ok: false, failure: sourceFailure };

  const data = source.data;
  const pull = data.source === 'PULL_FROM_URL';
  const kind = `${mode === 'direct' ? 'v_pub' : 'v_inbox'}_${pull ? 'url' : 'file'}`;
  const publish = ctx.publishing.create(
    newPublish(
      { publishId: `${kind}~v2-1.${ctx.ids.digits(19)}`, openId: user.openId, mode, privacyLevel, postInfo, createdAt: ctx.clock.now() },
      data.source === 'PULL_FROM_URL'
        ? { source: 'PULL_FROM_URL', videoUrl: data.video_url }
        : { source: 'FILE_UPLOAD', videoSize: data.video_size, chunkSize: data.chunk_size, totalChunkCount: data.total_chunk_count },
    ),
  );
  return ok({ publish_id: publish.publishId, ...(publish.source === 'FILE_UPLOAD' && publish.uploadUrl !== undefined && { upload_url: publish.uploadUrl }) });
}

/**
 * Whether the creator may post now (no ban, daily cap or app cap), and then either the direct post's settings
 * against creator info, or (an inbox draft, without post_info) whether their app and inbox can take one more.
 */
export function checkCreatorMayPost(
  ctx: Pick<PostingApiContext, 'publishing' | 'app'>,
  user: EmulatorUser,
  postInfo: DirectPostInfo | undefined,
): Result<{ privacyLevel: TikTokPrivacyLevel | undefined }> {
  const block = ctx.publishing.postingBlock(user);
  if (block) return { ok: false, failure: block };
  if (postInfo) {
    const checked = checkPostInfo(ctx.app, user, postInfo);
    return checked.ok ? ok({ privacyLevel: checked.privacyLevel }) : checked;
  }
  if (user.inboxAppOutdated) return fail(400, 'app_version_check_failed', "The user's TikTok app version is too old to receive drafts.");
  if (ctx.publishing.pendingShares(user.openId) >= user.pendingInboxLimit) {
    return fail(403, 'spam_risk_too_many_pending_share', 'Too many pending shares were sent to the user inbox within 24 hours.');
  }
  return ok({ privacyLevel: undefined });
}

/** Status fetch: an unknown id and another user's id are refused with their own codes (Get Post Status page). */
export function fetchStatus(publishing: Publishing, auth: Authenticated, body: unknown): Result<Record<string, unknown>> {
  if (!auth.grant.scopes.includes('video.publish') && !auth.grant.scopes.includes('video.upload')) {
    return fail(401, 'scope_not_authorized', 'The user did not authorize video.publish or video.upload.');
  }
  const publishId = (body as { publish_id?: unknown } | null)?.publish_id;
  if (typeof publishId !== 'string' || publishId.length === 0) return fail(400, INVALID_PARAM, 'publish_id is required.');
  const publish = publishing.get(publishId);
  if (!publish) return fail(400, 'invalid_publish_id', 'The publish_id does not exist.');
  if (publish.openId !== auth.user.openId) {
    return fail(400, 'token_not_authorized_for_specified_publish_id', 'The access token is not authorized for the specified publish_id.');
  }
  return ok({
    status: publish.status,
    ...(publish.failReason !== undefined && { fail_reason: publish.failReason }),
    // TikTok's spelling.
    publicaly_available_post_id: publish.postIds.map(int64),
    ...(publish.source === 'FILE_UPLOAD' ? { uploaded_bytes: publish.uploadedBytes } : { downloaded_bytes: publish.downloadedBytes }),
  });
}
