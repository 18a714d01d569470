import { firstNumber, firstString, isRecord, type LooseRecord } from './loose-json.js';
import { httpUrl, mediaKindFromExtension } from './media.js';
import type { VideoOutput } from './schemas.js';

// The video a task produced, read from its `output_data` in the shapes agents write:
//   { video_url, media_type?, suggested_caption?, duration?, size?, thumbnail? }
//   { videoUrl, ... }                              camelCase
//   { url, media_type: "video" | "video/mp4" }     a generic URL with a type saying it is a video
//   { url: "…/clip.mp4" }                          or an extension saying so
//   [ {…}, {…} ] / { outputs | results | files | media | assets: [ … ] }    a list of outputs: the first video
//   { output | result | data | video: { … } }      one level of wrapping (nested up to a few levels)
//   "https://…/clip.mp4"                           a bare URL
// Only absolute http(s) URLs count. Captions and thumbnails on an enclosing object apply to the video inside it.
// tasks.detail shows this, and posting to TikTok posts exactly this URL: keep them on this one function.

export type { VideoOutput } from './schemas.js';

const VIDEO_URL_KEYS = ['video_url', 'videoUrl', 'video'] as const;
const URL_KEYS = ['url', 'file_url', 'fileUrl', 'public_url', 'publicUrl', 'download_url', 'downloadUrl', 'src'] as const;
const TYPE_KEYS = ['media_type', 'mediaType', 'mime_type', 'mimeType', 'content_type', 'contentType', 'type', 'kind'] as const;
const CAPTION_KEYS = ['suggested_caption', 'suggestedCaption', 'caption'] as const;
const THUMBNAIL_KEYS = ['thumbnail_url', 'thumbnailUrl', 'thumbnail', 'thumb_url', 'cover_url', 'coverUrl', 'poster'] as const;
const DURATION_SECONDS_KEYS = ['duration_seconds', 'durationSeconds', 'duration_sec', 'duration'] as const;
const DURATION_MS_KEYS = ['duration_ms', 'durationMs'] as const;
const SIZE_KEYS = ['size_bytes', 'sizeBytes', 'file_size', 'fileSize', 'size', 'bytes'] as const;
const LIST_KEYS = ['outputs', 'results', 'files', 'media', 'assets', 'artifacts', 'items'] as const;
const WRAPPER_KEYS = ['output', 'result', 'data'] as const;

const MAX_DEPTH = 4;

type Declared = 'video' | 'not-video' | 'unknown';

/** What a type field says: "video", "video/mp4", "mp4" are videos; "image/png", "audio" are not. */
function declaredKind(type: string | null): Declared {
  if (type === null) return 'unknown';
  const text = type.toLowerCase();
  if (text === 'video' || text.startsWith('video/') || mediaKindFromExtension(`x.${text}`) === 'video') return 'video';
  if (/^(image|audio|text|document|application)(\/|$)/.test(text) || mediaKindFromExtension(`x.${text}`) !== null) {
    return 'not-video';
  }
  return 'unknown';
}

interface Inherited {
  suggestedCaption: string | null;
  thumbnailUrl: string | null;
}

function thumbnailOf(record: LooseRecord): string | null {
  for (const key of THUMBNAIL_KEYS) {
    const value = record[key];
    const url = httpUrl(value) ?? (isRecord(value) ? httpUrl(value.url) : null);
    if (url) return url;
  }
  return null;
}

function videoFromRecord(record: LooseRecord, url: string, inherited: Inherited): VideoOutput {
  const seconds = firstNumber(record, DURATION_SECONDS_KEYS);
  const milliseconds = firstNumber(record, DURATION_MS_KEYS);
  const duration = seconds ?? (milliseconds === null ? null : milliseconds / 1000);
  const size = firstNumber(record, SIZE_KEYS);
  return {
    url,
    mediaType: firstString(record, TYPE_KEYS),
    suggestedCaption: firstString(record, CAPTION_KEYS) ?? inherited.suggestedCaption,
    durationSeconds: duration !== null && duration >= 0 ? duration : null,
    sizeBytes: size !== null && size >= 0 && size <= Number.MAX_SAFE_INTEGER ? Math.round(size) : null,
    thumbnailUrl: thumbnailOf(record) ?? inherited.thumbnailUrl,
  };
}

function findVideo(value: unknown, inherited: Inherited, depth: number): VideoOutput | null {
  if (depth > MAX_DEPTH) return null;
  if (typeof value === 'string') {
    const url = httpUrl(value);
    return url && mediaKindFromExtension(url) === 'video' ? videoFromRecord({}, url, inherited) : null;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const video = findVideo(item, inherited, depth + 1);
      if (video) return video;
    }
    return null;
  }
  if (!isRecord(value)) return null;

  const here: Inherited = {
    suggestedCaption: firstString(value, CAPTION_KEYS) ?? inherited.suggestedCaption,
    thumbnailUrl: thumbnailOf(value) ?? inherited.thumbnailUrl,
  };
  const declared = declaredKind(firstString(value, TYPE_KEYS));

  for (const key of VIDEO_URL_KEYS) {
    const url = httpUrl(value[key]);
    if (url) return videoFromRecord(value, url, here);
  }
  if (declared !== 'not-video') {
    for (const key of URL_KEYS) {
      const url = httpUrl(value[key]);
      if (url && (declared === 'video' || mediaKindFromExtension(url) === 'video')) {
        return videoFromRecord(value, url, here);
      }
    }
  }
  for (const key of ['video', ...LIST_KEYS, ...WRAPPER_KEYS]) {
    const nested = value[key];
    if (typeof nested !== 'object' || nested === null) continue;
    const video = findVideo(nested, here, depth + 1);
    if (video) return video;
  }
  return null;
}

/** The video in a task's `output_data`, or null when it holds none. Never throws. */
export function extractVideoOutput(outputData: unknown): VideoOutput | null {
  return findVideo(outputData, { suggestedCaption: null, thumbnailUrl: null }, 0);
}
