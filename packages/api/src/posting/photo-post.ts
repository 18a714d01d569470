import { createHash } from 'node:crypto';
import type { JsonValue } from '@reelpost/db';
import { PHOTO_CONTENT_TYPES, PHOTO_LIMITS, type TikTokPhotoPostInput } from '@reelpost/tiktok';
import { AppError, appError } from '../errors.js';
import { toAttachedMedia } from '../tasks/media.js';
import { extractPhotoOutputs } from '../tasks/photo-output.js';
import type { AttachedMedia } from '../tasks/schemas.js';
import { postableKind } from '../tasks/postable.js';
import { extractVideoOutput } from '../tasks/video-output.js';
import type { Session } from '../trpc.js';
import { type AcceptedMedia, checkVideoUrl, probeMediaUrl } from '../video/index.js';
import { reserveAndPublish } from './dispatch.js';
import { postFingerprint } from './fingerprint.js';
import type { PostingDeps } from './publish.js';
import type { PostInput, PostStatusView } from './schemas.js';

// Photo posts (issue 19): what differs from a video post, and only that — which images, checked before TikTok is
// called (each refusal with its own code and hint), and the photo post info. The reservation, exactly-once, the
// schedule, creator info, the init's bookkeeping, status, polling and webhooks are the video path's (dispatch.ts,
// publish.ts).

const IMAGE_MEDIA: AcceptedMedia = {
  types: { 'image/jpeg': ['.jpg', '.jpeg'], 'image/webp': ['.webp'] },
  noun: 'image',
  formats: 'JPEG or WebP',
  typeHint: 'Convert the image to JPEG (or WebP) and serve it as image/jpeg or image/webp.',
};

/** Options that only make sense for the other kind of post, as the caller sent them. */
function inapplicable(input: PostInput, kind: 'video' | 'photo'): string[] {
  if (kind === 'photo') {
    // Duet and stitch default to off; asking for them (false) or for a video cover frame is refused.
    return [
      ...(input.disableDuet ? [] : ['disableDuet']),
      ...(input.disableStitch ? [] : ['disableStitch']),
      ...(input.videoCoverTimestampMs === undefined ? [] : ['videoCoverTimestampMs']),
    ];
  }
  return (['description', 'photoCoverIndex', 'autoAddMusic'] as const).filter((key) => input[key] !== undefined);
}

/** The task's attached media, in the order tasks.detail shows them (a photo post may take its images from them). */
export async function attachedMediaOf(deps: PostingDeps, taskId: string): Promise<AttachedMedia[]> {
  const rows = await deps.db
    .selectFrom('instance_media')
    .select(['id', 'url', 'mime_type', 'kind', 'size_bytes', 'name'])
    .where('task_id', '=', taskId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  // The same media tasks.detail shows: those whose URL is not http(s) are not the task's output.
  return rows.map(toAttachedMedia).filter((media) => media !== null);
}

/** What this request posts: as asked, else what the task is postable as (its video when it has one). */
export function mediaTypeToPost(outputData: JsonValue, media: readonly AttachedMedia[], input: PostInput): 'video' | 'photo' {
  const kind = input.mediaType ?? (postableKind(extractVideoOutput(outputData), extractPhotoOutputs(outputData, media)) === 'photo' ? 'photo' : 'video');
  const refused = inapplicable(input, kind);
  if (refused.length > 0) {
    throw appError('OPTION_NOT_APPLICABLE', `${refused.join(', ')} ${refused.length === 1 ? 'does' : 'do'} not apply to a ${kind} post.`, {
      hint: kind === 'photo' ? 'Duet, stitch and the video cover are for videos: leave them out of a photo post.' : 'description, photoCoverIndex and autoAddMusic are for photo posts: leave them out, or post with mediaType "photo".',
      details: { options: refused, mediaType: kind },
    });
  }
  return kind;
}

function isAcceptedType(mimeType: string | null): boolean {
  return mimeType === null || (PHOTO_CONTENT_TYPES as readonly string[]).includes(mimeType.split(';')[0]!.trim());
}

function formatRefusal(index: number, shown: string): AppError {
  return appError('PHOTO_FORMAT_NOT_SUPPORTED', `Image ${index + 1} is ${shown}; TikTok photo posts take JPEG and WebP only.`, {
    hint: 'Convert the image to JPEG (or WebP) and post again.',
    details: { index, format: shown },
  });
}

/** Each image checked as the video guard checks a video (verified prefix, https, reachable, type), in order. */
async function probeImages(deps: PostingDeps, urls: string[]): Promise<string[]> {
  urls.forEach((url, index) => {
    try {
      checkVideoUrl(url, deps.settings.video);
    } catch (error) {
      throw photoUrlRefusal(error, index);
    }
  });
  const finalUrls: string[] = [];
  // A few at a time: a 35-image post should not open 35 connections to one storage host at once.
  for (let start = 0; start < urls.length; start += 5) {
    const batch = urls.slice(start, start + 5).map(async (url, offset) => {
      try {
        return (await probeMediaUrl(url, deps.settings.video, IMAGE_MEDIA)).finalUrl;
      } catch (error) {
        throw photoUrlRefusal(error, start + offset);
      }
    });
    finalUrls.push(...(await Promise.all(batch)));
  }
  return finalUrls;
}

/** The guard's refusal, named for the image it concerns; a type TikTok does not take is a format refusal. */
function photoUrlRefusal(error: unknown, index: number): unknown {
  if (!(error instanceof AppError) || error.appCode !== 'VIDEO_URL_NOT_ALLOWED') return error;
  const details = error.cause.extra.details ?? {};
  if (details.reason === 'content_type') {
    return formatRefusal(index, typeof details.servedContentType === 'string' ? details.servedContentType : 'of an unknown type');
  }
  return appError('PHOTO_URL_NOT_ALLOWED', `Image ${index + 1}: ${error.message}`, {
    hint: error.cause.extra.hint ?? 'Serve the images over https from a verified prefix.',
    details: { ...details, index },
  });
}

/** tiktok.post for a task whose output is images: the photo checks in order, then the shared path. */
export async function postPhotosToTikTok(
  deps: PostingDeps,
  session: Session,
  input: PostInput,
  task: { id: string; instance_id: string; output_data: JsonValue },
  media: readonly AttachedMedia[],
): Promise<PostStatusView> {
  const photos = extractPhotoOutputs(task.output_data, media);
  if (photos.length === 0) {
    throw appError('NO_PHOTO_OUTPUT', 'This task did not produce images to post.', {
      hint: 'Only tasks whose output is images can be posted as a photo post; post its video instead if it has one.',
    });
  }
  if (photos.length > PHOTO_LIMITS.maxImages) {
    throw appError('TOO_MANY_PHOTOS', `This task has ${photos.length} images; a TikTok photo post takes at most ${PHOTO_LIMITS.maxImages}.`, {
      hint: `Keep at most ${PHOTO_LIMITS.maxImages} images in the task's output.`,
      details: { count: photos.length, max: PHOTO_LIMITS.maxImages },
    });
  }
  const unsupported = photos.findIndex((photo) => !isAcceptedType(photo.mimeType));
  if (unsupported >= 0) throw formatRefusal(unsupported, photos[unsupported]!.mimeType!);
  if (input.title.length > PHOTO_LIMITS.maxTitleLength) {
    throw appError('PHOTO_TITLE_TOO_LONG', `The title has ${input.title.length} characters; a photo post's title takes at most ${PHOTO_LIMITS.maxTitleLength}.`, {
      hint: 'Shorten the title and put the rest (hashtags too) in the description, which takes 4,000 characters.',
      details: { length: input.title.length, max: PHOTO_LIMITS.maxTitleLength },
    });
  }
  const coverIndex = input.photoCoverIndex ?? 0;
  if (coverIndex >= photos.length) {
    throw appError('PHOTO_COVER_OUT_OF_RANGE', `photoCoverIndex ${coverIndex} names no image; the task has ${photos.length}.`, {
      hint: `Choose a cover from 0 to ${photos.length - 1}.`,
      details: { photoCoverIndex: coverIndex, count: photos.length },
    });
  }
  const extra = { description: input.description ?? '', photoCoverIndex: coverIndex, autoAddMusic: input.autoAddMusic ?? true };
  return reserveAndPublish(deps, session, input, task, {
    // TikTok pulls exactly what the guard checked (normalised, redirects resolved).
    checkedColumns: async () => ({ media_type: 'PHOTO', photo_urls: await probeImages(deps, photos.map((photo) => photo.url)), video_url: null }),
    postInfo: (privacyLevel) => ({
      title: input.title,
      privacyLevel,
      disableComment: input.disableComment,
      brandContentToggle: input.brandContentToggle,
      brandOrganicToggle: input.brandOrganicToggle,
      ...extra,
    }),
    fingerprint: (accountId) =>
      createHash('sha256').update(JSON.stringify([postFingerprint(input, accountId), 'photo', extra])).digest('hex'),
    videoDurationSeconds: null,
  });
}

/** The content/init input for a reserved photo post, from what its row recorded. */
export function photoInitInput(post: { mode: string; post_info: unknown; photo_urls: string[] | null }): TikTokPhotoPostInput {
  const info = post.post_info as {
    title?: string; description?: string; privacyLevel?: TikTokPhotoPostInput['postInfo']['privacyLevel'];
    disableComment?: boolean; autoAddMusic?: boolean; brandContentToggle?: boolean; brandOrganicToggle?: boolean; photoCoverIndex?: number;
  };
  const direct = post.mode === 'direct';
  return {
    postMode: direct ? 'DIRECT_POST' : 'MEDIA_UPLOAD',
    postInfo: {
      title: info.title ?? '',
      description: info.description ?? '',
      // An upload leaves privacy to the creator in the TikTok app.
      ...(direct && info.privacyLevel !== undefined && { privacyLevel: info.privacyLevel }),
      disableComment: info.disableComment ?? true,
      autoAddMusic: info.autoAddMusic ?? true,
      brandContentToggle: info.brandContentToggle ?? false,
      brandOrganicToggle: info.brandOrganicToggle ?? false,
    },
    photoImages: post.photo_urls ?? [],
    photoCoverIndex: info.photoCoverIndex ?? 0,
  };
}
