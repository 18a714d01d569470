import { z } from 'zod';
import { MAX_CHUNK_COUNT, MAX_CHUNK_SIZE, MAX_VIDEO_SIZE, MIN_CHUNK_SIZE, privacyLevelSchema, type TikTokPrivacyLevel } from '@reelpost/tiktok';
import type { EmulatorApp } from './options.js';
import type { EmulatorUser } from './users.js';
import { failure, type ApiFailure } from './wire.js';

// What both inits check before a publish exists, as the Direct Post, Upload and Media Transfer pages say: the body's
// shape (`invalid_param`, the posting pages' singular spelling), the privacy level against creator info
// (`privacy_level_option_mismatch`, also when it is missing), the source (verified https URL, chunk arithmetic).

/** The posting pages spell the validation code in the singular (the generic Error Handling page says invalid_params). */
export const INVALID_PARAM = 'invalid_param';

export const directInitSchema = z.object({
  post_info: z.object({
    title: z.string().optional(),
    // Checked separately: a missing or unknown level answers privacy_level_option_mismatch, not invalid_param.
    privacy_level: z.unknown().optional(),
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
export type DirectPostInfo = z.output<typeof directInitSchema>['post_info'];

export const sourceInfoSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('PULL_FROM_URL'), video_url: z.string().min(1) }),
  z.object({
    source: z.literal('FILE_UPLOAD'),
    video_size: z.number().int().positive(),
    chunk_size: z.number().int().positive(),
    total_chunk_count: z.number().int().positive(),
  }),
]);
export type SourceInfo = z.output<typeof sourceInfoSchema>;

export function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid request body';
}

/**
 * Whether TikTok would pull from this URL: https only, under a verified prefix or domain. Plain http passes only
 * when the app allows it for local tests (`allowHttpVideoUrls: true`, or unset with the URL under a verified
 * prefix that itself starts with http:// — a prefix TikTok's portal would never verify).
 */
export function isVerifiedUrl(app: EmulatorApp, videoUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(videoUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  const under = (prefix: string) =>
    /^[a-z]+:\/\//i.test(prefix) ? url.href.startsWith(prefix) : url.hostname === prefix || url.hostname.endsWith(`.${prefix}`);
  const matching = app.verifiedUrlPrefixes.filter(under);
  if (matching.length === 0) return false;
  if (url.protocol === 'https:') return true;
  if (app.allowHttpVideoUrls !== undefined) return app.allowHttpVideoUrls;
  return matching.some((prefix) => prefix.toLowerCase().startsWith('http://'));
}

/** The source's own rules: a verified https URL, or chunk arithmetic from the Media Transfer Guide. */
export function checkSource(app: EmulatorApp, maxBytes: number, source: SourceInfo): ApiFailure | undefined {
  if (source.source === 'PULL_FROM_URL') {
    if (!isVerifiedUrl(app, source.video_url)) {
      return failure(403, 'url_ownership_unverified', 'The video URL must be https and under a domain or URL prefix verified for this app.');
    }
    return undefined;
  }
  const { video_size: size, chunk_size: chunk, total_chunk_count: count } = source;
  const invalid = (message: string) => failure(400, INVALID_PARAM, message);
  if (size > MAX_VIDEO_SIZE) return invalid('video_size exceeds 4 GB.');
  if (size > maxBytes) return invalid(`video_size exceeds the emulator's limit of ${maxBytes} bytes.`);
  if (size < MIN_CHUNK_SIZE) {
    if (chunk !== size || count !== 1) return invalid('Videos under 5 MB must be uploaded whole: chunk_size must equal video_size.');
    return undefined;
  }
  if (chunk > size) return invalid('chunk_size cannot exceed video_size.');
  if (chunk < MIN_CHUNK_SIZE || chunk > MAX_CHUNK_SIZE) return invalid('chunk_size must be between 5 MB and 64 MB.');
  if (count !== Math.floor(size / chunk)) return invalid('total_chunk_count must be video_size / chunk_size rounded down.');
  // "Videos with a total size greater than 64 MB must be uploaded in multiple chunks." With count = floor(size /
  // chunk) the final chunk is under 2 × 64 MB, so the 128 MB limit on it holds by itself.
  if (size > MAX_CHUNK_SIZE && count < 2) return invalid('Videos over 64 MB must be uploaded in several chunks.');
  if (count > MAX_CHUNK_COUNT) return invalid('total_chunk_count must be between 1 and 1000.');
  return undefined;
}

/** A direct post's post_info against the creator and the app. */
export function checkPostInfo(
  app: EmulatorApp,
  user: EmulatorUser,
  postInfo: DirectPostInfo,
): { ok: true; privacyLevel: TikTokPrivacyLevel } | { ok: false; failure: ApiFailure } {
  const refuse = (status: number, code: string, message: string) => ({ ok: false as const, failure: failure(status, code, message) });
  if ((postInfo.title ?? '').length > 2200) return refuse(400, INVALID_PARAM, 'title exceeds 2200 characters.');
  const level = privacyLevelSchema.safeParse(postInfo.privacy_level);
  if (!level.success) {
    return refuse(403, 'privacy_level_option_mismatch', `privacy_level ${postInfo.privacy_level === undefined ? '(missing)' : JSON.stringify(postInfo.privacy_level)} is not among the creator's options.`);
  }
  const privacyLevel = level.data;
  // Direct Post guidelines: an unaudited client posts SELF_ONLY only, and only from accounts set to private.
  if (!app.audited && (privacyLevel !== 'SELF_ONLY' || !user.accountPrivate)) {
    return refuse(403, 'unaudited_client_can_only_post_to_private_accounts', 'Unaudited clients can only post SELF_ONLY content from private accounts.');
  }
  if (!user.privacyLevelOptions.includes(privacyLevel)) {
    return refuse(403, 'privacy_level_option_mismatch', `privacy_level ${privacyLevel} is not among the creator's options.`);
  }
  if (postInfo.brand_content_toggle && privacyLevel === 'SELF_ONLY') {
    return refuse(400, INVALID_PARAM, 'Branded content cannot be posted with SELF_ONLY privacy.');
  }
  return { ok: true, privacyLevel };
}
