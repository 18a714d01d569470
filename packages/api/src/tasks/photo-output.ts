import { firstString, isRecord } from './loose-json.js';
import { extensionOf, mediaKindFromExtension, mediaKindFromMime } from './media.js';
import type { AttachedMedia, PhotoOutput } from './schemas.js';

// The images a task produced, in order, read from its `output_data` in the shapes agents write:
//   { image_urls | imageUrls | images | photos | photo_urls: [ "https://…/1.jpg", { url, mime_type }, … ] }
//   { image_url | imageUrl | image: "https://…/1.jpg" }
//   { url: "…/a.webp" } / { url, media_type: "image/jpeg" }      a generic URL typed or named as an image
//   [ … ] / { outputs | results | files | media | assets: [ … ] } / { output | result | data: { … } }
// Only absolute http(s) URLs count; the same URL twice counts once. Whether TikTok takes each (JPEG and WebP only) is
// the posting path's question: this lists every image, PNG included, so a refusal can name it.

const IMAGE_LIST_KEYS = ['image_urls', 'imageUrls', 'images', 'photos', 'photo_urls', 'photoUrls'] as const;
const IMAGE_URL_KEYS = ['image_url', 'imageUrl', 'image', 'photo_url', 'photoUrl', 'photo'] as const;
const URL_KEYS = ['url', 'file_url', 'fileUrl', 'public_url', 'publicUrl', 'download_url', 'downloadUrl', 'src'] as const;
const TYPE_KEYS = ['mime_type', 'mimeType', 'content_type', 'contentType', 'media_type', 'mediaType', 'type', 'kind'] as const;
const NESTED_KEYS = ['outputs', 'results', 'files', 'media', 'assets', 'artifacts', 'items', 'output', 'result', 'data'] as const;
const MAX_DEPTH = 4;
const MAX_IMAGES = 100;

function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return /^https?:\/\//i.test(text) && URL.canParse(text) ? text : null;
}

/** A declared type's MIME form when it names one ("image/png"), or the one its extension implies. */
function mimeOf(declared: string | null, url: string): string | null {
  if (declared && declared.includes('/')) return declared.toLowerCase();
  const extension = extensionOf(url);
  if (extension === 'jpg' || extension === 'jpeg') return 'image/jpeg';
  return extension && mediaKindFromExtension(url) === 'image' ? `image/${extension}` : null;
}

function isImage(declared: string | null, url: string): boolean {
  if (declared !== null) {
    const text = declared.toLowerCase();
    if (text === 'image' || text === 'photo' || mediaKindFromMime(text) === 'image') return true;
    if (mediaKindFromMime(text) !== null || text === 'video' || text === 'audio') return false;
  }
  return mediaKindFromExtension(url) === 'image';
}

function collect(value: unknown, found: Map<string, PhotoOutput>, depth: number, listedAsImage: boolean): void {
  if (depth > MAX_DEPTH || found.size >= MAX_IMAGES) return;
  if (typeof value === 'string') {
    const url = httpUrl(value);
    if (url && (listedAsImage || mediaKindFromExtension(url) === 'image') && !found.has(url)) found.set(url, { url, mimeType: mimeOf(null, url) });
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collect(item, found, depth + 1, listedAsImage);
    return;
  }
  if (!isRecord(value)) return;
  const declared = firstString(value, TYPE_KEYS);
  for (const key of IMAGE_URL_KEYS) {
    const url = httpUrl(value[key]);
    if (url && !found.has(url)) found.set(url, { url, mimeType: mimeOf(declared, url) });
  }
  for (const key of URL_KEYS) {
    const url = httpUrl(value[key]);
    if (url && (listedAsImage ? declared === null || isImage(declared, url) : isImage(declared, url)) && !found.has(url)) {
      found.set(url, { url, mimeType: mimeOf(declared, url) });
    }
  }
  for (const key of IMAGE_LIST_KEYS) collect(value[key], found, depth + 1, true);
  for (const key of NESTED_KEYS) if (typeof value[key] === 'object') collect(value[key], found, depth + 1, false);
}

/**
 * The images a task produced, in order (at most 100): those in its `output_data`, then its attached image media not
 * already named there (in the order they were attached); empty when it has none. Never throws.
 */
export function extractPhotoOutputs(outputData: unknown, media: readonly AttachedMedia[] = []): PhotoOutput[] {
  const found = new Map<string, PhotoOutput>();
  collect(outputData, found, 0, false);
  for (const item of media) {
    const url = httpUrl(item.url);
    if (item.type !== 'image' || !url || found.has(url) || found.size >= MAX_IMAGES) continue;
    found.set(url, { url, mimeType: mimeOf(item.mime, url) });
  }
  return [...found.values()];
}
