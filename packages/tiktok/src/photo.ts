import { z } from 'zod';
import { TikTokError } from './errors.js';
import { privacyLevelSchema } from './schemas.js';

// Photo posts (`POST /v2/post/publish/content/init/`, shared/tiktok-api.md "Photo posts"): one endpoint for both
// Direct Post (post_mode DIRECT_POST) and Upload (MEDIA_UPLOAD, the creator finishes in TikTok), PULL_FROM_URL only,
// 1–35 JPEG or WebP images, title ≤ 90 and description ≤ 4,000 characters. Checked here before sending, so a
// request TikTok would refuse never spends one of the 6 inits a minute.

/** TikTok's limits on photo posts (shared/tiktok-api.md, "Photo posts"). */
export const PHOTO_LIMITS = { minImages: 1, maxImages: 35, maxTitleLength: 90, maxDescriptionLength: 4000 } as const;

/** The only image types TikTok takes for photo posts; PNG is refused. */
export const PHOTO_CONTENT_TYPES = ['image/jpeg', 'image/webp'] as const;

export const PHOTO_POST_MODES = ['DIRECT_POST', 'MEDIA_UPLOAD'] as const;

export const photoPostInfoSchema = z.object({
  /** At most 90 UTF-16 code units. */
  title: z.string().max(PHOTO_LIMITS.maxTitleLength, 'TikTok allows at most 90 characters in a photo post title').default(''),
  /** Caption with #hashtags and @mentions; at most 4,000 UTF-16 code units. */
  description: z.string().max(PHOTO_LIMITS.maxDescriptionLength, 'TikTok allows at most 4,000 characters in a photo post description').default(''),
  /** Required for DIRECT_POST; MEDIA_UPLOAD leaves it to the creator in the app. */
  privacyLevel: privacyLevelSchema.optional(),
  // Content Sharing Guidelines: comments stay off unless the person turns them on.
  disableComment: z.boolean().default(true),
  autoAddMusic: z.boolean().default(true),
  brandContentToggle: z.boolean().default(false),
  brandOrganicToggle: z.boolean().default(false),
});

export const photoPostInputSchema = z
  .object({
    postMode: z.enum(PHOTO_POST_MODES),
    postInfo: photoPostInfoSchema,
    /** In order; each https and under a verified prefix. */
    photoImages: z.array(z.url()).min(PHOTO_LIMITS.minImages).max(PHOTO_LIMITS.maxImages, 'TikTok takes at most 35 images in a photo post'),
    /** Which image is the cover (0-based). */
    photoCoverIndex: z.number().int().nonnegative().default(0),
  })
  .superRefine((input, ctx) => {
    if (input.photoCoverIndex >= input.photoImages.length) {
      ctx.addIssue({ code: 'custom', path: ['photoCoverIndex'], message: `must be below the number of images (${input.photoImages.length})` });
    }
    if (input.postMode === 'DIRECT_POST' && input.postInfo.privacyLevel === undefined) {
      ctx.addIssue({ code: 'custom', path: ['postInfo', 'privacyLevel'], message: 'a direct post needs a privacy level' });
    }
    if (input.postInfo.brandContentToggle && input.postInfo.privacyLevel === 'SELF_ONLY') {
      ctx.addIssue({ code: 'custom', path: ['postInfo', 'brandContentToggle'], message: 'branded content cannot be private (SELF_ONLY)' });
    }
  });
export type TikTokPhotoPostInput = z.input<typeof photoPostInputSchema>;

/** The content/init body in TikTok's spelling, or an `invalid_input` error naming the first problem. */
export function photoInitBody(input: TikTokPhotoPostInput, allowHttp: boolean): Record<string, unknown> {
  const parsed = photoPostInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.');
    throw new TikTokError({ code: 'invalid_input', endpoint: 'content.init', detail: `${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}` });
  }
  const { postMode, postInfo, photoImages, photoCoverIndex } = parsed.data;
  const insecure = photoImages.find((url) => new URL(url).protocol !== 'https:' && !(allowHttp && new URL(url).protocol === 'http:'));
  if (insecure !== undefined) {
    throw new TikTokError({ code: 'invalid_input', endpoint: 'content.init', detail: 'TikTok pulls photos over https only; every image URL must start with https://' });
  }
  return {
    media_type: 'PHOTO',
    post_mode: postMode,
    post_info: {
      title: postInfo.title,
      description: postInfo.description,
      ...(postInfo.privacyLevel !== undefined && { privacy_level: postInfo.privacyLevel }),
      disable_comment: postInfo.disableComment,
      auto_add_music: postInfo.autoAddMusic,
      brand_content_toggle: postInfo.brandContentToggle,
      brand_organic_toggle: postInfo.brandOrganicToggle,
    },
    source_info: { source: 'PULL_FROM_URL', photo_images: photoImages, photo_cover_index: photoCoverIndex },
  };
}
