import { z } from 'zod';
import { PHOTO_LIMITS } from '@reelpost/tiktok';
import type { Authenticated } from './authorization.js';
import { INVALID_PARAM, isVerifiedUrl, zodMessage } from './init-checks.js';
import { checkCreatorMayPost, type PostingApiContext } from './posting-api.js';
import { newPublish } from './publish-record.js';
import { fail, ok, type Result } from './wire.js';

// Photo posts: `POST /v2/post/publish/content/init/` with TikTok's checks, in the order the video inits make them
// (shared/tiktok-api.md "Photo posts"): scope by post_mode (DIRECT_POST needs video.publish, MEDIA_UPLOAD
// video.upload), the body's shape (media_type PHOTO only, source PULL_FROM_URL only, 1–35 images, cover index in
// range, title ≤ 90, description ≤ 4,000), posting blocks, privacy against creator info (direct) or the inbox's
// limits (upload), then every image under a verified prefix. JPEG/WebP are checked on the bytes the pull fetches.

const photoInitSchema = z.object({
  media_type: z.literal('PHOTO'),
  post_mode: z.enum(['DIRECT_POST', 'MEDIA_UPLOAD']),
  post_info: z
    .object({
      title: z.string().max(PHOTO_LIMITS.maxTitleLength, 'title exceeds 90 characters').optional(),
      description: z.string().max(PHOTO_LIMITS.maxDescriptionLength, 'description exceeds 4000 characters').optional(),
      privacy_level: z.unknown().optional(),
      disable_comment: z.boolean().optional(),
      auto_add_music: z.boolean().optional(),
      brand_content_toggle: z.boolean().optional(),
      brand_organic_toggle: z.boolean().optional(),
    })
    .default({}),
  source_info: z.object({
    source: z.literal('PULL_FROM_URL'),
    photo_images: z.array(z.string().min(1)).min(PHOTO_LIMITS.minImages).max(PHOTO_LIMITS.maxImages, 'photo_images takes at most 35 images'),
    photo_cover_index: z.number().int().nonnegative().default(0),
  }),
});

export function initPhotoPublish(ctx: PostingApiContext, auth: Authenticated, body: unknown): Result<{ publish_id: string }> {
  const mode = (body as { post_mode?: unknown } | null)?.post_mode === 'MEDIA_UPLOAD' ? 'inbox' : 'direct';
  const scope = mode === 'direct' ? 'video.publish' : 'video.upload';
  if (!auth.grant.scopes.includes(scope)) return fail(401, 'scope_not_authorized', `The user did not authorize the ${scope} scope.`);
  const parsed = photoInitSchema.safeParse(body);
  if (!parsed.success) return fail(400, INVALID_PARAM, zodMessage(parsed.error));
  const { post_info: postInfo, source_info: source } = parsed.data;
  if (source.photo_cover_index >= source.photo_images.length) {
    return fail(400, INVALID_PARAM, `photo_cover_index ${source.photo_cover_index} is out of range for ${source.photo_images.length} images.`);
  }
  const user = auth.user;
  const allowed = checkCreatorMayPost(ctx, user, mode === 'direct' ? postInfo : undefined);
  if (!allowed.ok) return allowed;
  const { privacyLevel } = allowed.value;
  const unverified = source.photo_images.findIndex((url) => !isVerifiedUrl(ctx.app, url));
  if (unverified >= 0) {
    return fail(403, 'url_ownership_unverified', `photo_images[${unverified}] must be https and under a domain or URL prefix verified for this app.`);
  }
  const publish = ctx.publishing.create(
    newPublish(
      { publishId: `p_${mode === 'direct' ? 'pub' : 'inbox'}_url~v2-1.${ctx.ids.digits(19)}`, openId: user.openId, mode, privacyLevel, postInfo, createdAt: ctx.clock.now() },
      { source: 'PULL_FROM_URL', photo: { images: source.photo_images, coverIndex: source.photo_cover_index } },
    ),
  );
  return ok({ publish_id: publish.publishId });
}
