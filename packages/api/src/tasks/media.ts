import type { Media, MediaKind } from '@reelpost/db';
import type { AttachedMedia } from './schemas.js';

/** An absolute http(s) URL, trimmed, or null: agents write `javascript:`, `data:` and file paths too. */
export function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return /^https?:\/\//i.test(text) && URL.canParse(text) ? text : null;
}

// What kind of file an attachment is: by its MIME type, then by its file extension (of its name, then of its URL),
// then by the kind stored with it, else `other`.

const DOCUMENT_MIME_TYPES = new Set([
  'application/pdf',
  'application/msword',
  'application/rtf',
  'application/epub+zip',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
]);
const DOCUMENT_MIME_PREFIXES = ['text/', 'application/vnd.openxmlformats-officedocument.', 'application/vnd.oasis.opendocument.'];

export function mediaKindFromMime(mime: string | null | undefined): MediaKind | null {
  if (!mime) return null;
  const type = (mime.split(';')[0] ?? '').trim().toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  if (DOCUMENT_MIME_TYPES.has(type) || DOCUMENT_MIME_PREFIXES.some((prefix) => type.startsWith(prefix))) return 'document';
  return null;
}

// A Map: a file named "x.constructor" must not find Object.prototype's.
const EXTENSIONS = new Map<string, MediaKind>();
for (const [kind, extensions] of [
  ['image', 'jpg jpeg png gif webp bmp svg heic heif avif tif tiff ico'],
  ['video', 'mp4 m4v mov webm mkv avi wmv flv mpeg mpg 3gp m3u8'],
  ['audio', 'mp3 wav m4a aac ogg oga opus flac weba wma aif aiff'],
  ['document', 'pdf doc docx txt md rtf odt ods odp xls xlsx ppt pptx csv epub'],
] as const) {
  for (const extension of extensions.split(' ')) EXTENSIONS.set(extension, kind);
}

/** The extension of a file name or of a URL's path ("…/clip.MP4?token=x" → "mp4"), or null. */
export function extensionOf(nameOrUrl: string | null | undefined): string | null {
  if (!nameOrUrl) return null;
  const path = nameOrUrl.split(/[?#]/)[0] ?? '';
  const file = path.slice(path.lastIndexOf('/') + 1);
  const dot = file.lastIndexOf('.');
  return dot > 0 || (dot === 0 && file.length > 1) ? file.slice(dot + 1).toLowerCase() : null;
}

export function mediaKindFromExtension(nameOrUrl: string | null | undefined): MediaKind | null {
  const extension = extensionOf(nameOrUrl);
  return extension === null ? null : (EXTENSIONS.get(extension) ?? null);
}

export function mediaKindOf(media: {
  mime_type: string | null;
  name: string | null;
  url: string;
  kind: MediaKind | null;
}): MediaKind {
  return (
    mediaKindFromMime(media.mime_type) ??
    mediaKindFromExtension(media.name) ??
    mediaKindFromExtension(media.url) ??
    media.kind ??
    'other'
  );
}

/** The last segment of a URL's path, decoded: "…/renders/final%20cut.mp4?x=1" → "final cut.mp4". */
export function fileNameFromUrl(url: string): string | null {
  const path = URL.canParse(url) ? new URL(url).pathname : (url.split(/[?#]/)[0] ?? '');
  const segment = path.slice(path.lastIndexOf('/') + 1);
  if (segment === '') return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export type MediaRow = Pick<Media, 'id' | 'url' | 'mime_type' | 'kind' | 'size_bytes' | 'name'>;

/**
 * A media row as callers see it, or null when its URL is not http(s): the rows are written by agents, and a
 * `javascript:` or `data:` URL handed to a page that links it is script on that page (issue 17, finding 8).
 */
export function toAttachedMedia(row: MediaRow): AttachedMedia | null {
  const url = httpUrl(row.url);
  if (url === null) return null;
  return {
    id: row.id,
    url,
    type: mediaKindOf(row),
    mime: row.mime_type,
    // bigint in the database; past 2^53 bytes (9 PB) a JS number is not exact, so it is not shown.
    size: row.size_bytes !== null && Number.isSafeInteger(row.size_bytes) ? row.size_bytes : null,
    name: row.name ?? fileNameFromUrl(row.url),
  };
}
