import { downloadVideo, type DownloadLimits } from './media-transfer.js';

// A photo post's pull: every image downloaded as TikTok pulls (https, no redirects, bounded), then sniffed from its
// bytes — JPEG and WebP are taken, anything else (PNG included) is not (shared/tiktok-api.md "Photo posts").

export type PhotoFormat = 'jpeg' | 'webp';

/** The format the bytes say, whatever the URL or the served type claim. */
export function sniffPhoto(bytes: Uint8Array): PhotoFormat | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const ascii = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString('latin1');
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return undefined;
}

export interface PulledPhotos {
  /** All images' bytes together, for the processing time. */
  totalBytes: number;
  /** Decided from the bytes: undefined when every image is JPEG or WebP. */
  outcome: 'file_format_check_failed' | undefined;
}

/** Downloads the images in order; undefined (photo_pull_failed) as soon as one cannot be pulled. */
export async function pullPhotos(urls: readonly string[], limits: DownloadLimits, onBytes: (total: number) => void): Promise<PulledPhotos | undefined> {
  let totalBytes = 0;
  let outcome: PulledPhotos['outcome'];
  for (const url of urls) {
    const bytes = await downloadVideo(url, { ...limits, maxBytes: limits.maxBytes - totalBytes }, (got) => onBytes(totalBytes + got));
    if (!bytes) return undefined;
    totalBytes += bytes.byteLength;
    if (!sniffPhoto(bytes)) outcome = 'file_format_check_failed';
  }
  return { totalBytes, outcome };
}
