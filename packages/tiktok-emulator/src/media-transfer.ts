import { VIDEO_CONTENT_TYPES } from '@reelpost/tiktok';
import { fail, ok, type Result } from './wire.js';

// How bytes reach the emulator: chunks PUT to an upload URL under TikTok's rules, or a download of a
// PULL_FROM_URL video bounded in size and time.

export interface UploadSession {
  publishId: string;
  token: string;
  expiresAt: number;
  videoSize: number;
  chunkSize: number;
  totalChunkCount: number;
  nextChunk: number;
  parts: Uint8Array[];
}

export interface AcceptedChunk {
  status: 201 | 206;
  /** Bytes received so far, in order. */
  uploadedBytes: number;
  /** The whole file, once its last chunk arrived (only on the call that completed it). */
  file?: Uint8Array;
}

const invalid = (message: string) => fail<AcceptedChunk>(400, 'invalid_file_upload', message);

/** Bytes received so far, in order. */
export function receivedBytes(session: UploadSession): number {
  if (session.nextChunk === 0) return 0;
  return session.nextChunk >= session.totalChunkCount ? session.videoSize : session.nextChunk * session.chunkSize;
}

/** The Content-Range of a 206 or 416 answer: what TikTok has, last byte inclusive as in the request's header. */
export function receivedRange(session: UploadSession): string {
  const received = receivedBytes(session);
  return received === 0 ? `bytes */${session.videoSize}` : `bytes 0-${received - 1}/${session.videoSize}`;
}

/** One PUT: the next chunk in order (206, or 201 for the last), a chunk already received again, or an error. */
export function acceptChunk(
  session: UploadSession,
  headers: { contentType?: string | undefined; contentRange?: string | undefined },
  bytes: Uint8Array,
  stillUploading: boolean,
): Result<AcceptedChunk> {
  const { videoSize: size, chunkSize, totalChunkCount: count } = session;
  if (!(VIDEO_CONTENT_TYPES as readonly string[]).includes((headers.contentType ?? '').split(';')[0]!.trim())) {
    return invalid('Content-Type must be video/mp4, video/quicktime or video/webm.');
  }
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(headers.contentRange?.trim() ?? '');
  if (!range) return invalid('Content-Range must be "bytes {first}-{last}/{total}".');
  const [first, last, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
  if (total !== size) return invalid(`Content-Range total ${total} does not match video_size ${size}.`);
  if (bytes.byteLength !== last - first + 1) return invalid(`The body has ${bytes.byteLength} bytes but Content-Range announces ${last - first + 1}.`);

  const rangeOf = (index: number) => ({ start: index * chunkSize, end: index === count - 1 ? size - 1 : (index + 1) * chunkSize - 1 });
  const uploadedBytes = receivedBytes(session);
  // A chunk sent again (its answer was lost) is acknowledged without being stored twice.
  const repeated = session.parts.findIndex((_, index) => rangeOf(index).start === first && rangeOf(index).end === last);
  if (repeated >= 0) return ok({ status: repeated === count - 1 ? 201 : 206, uploadedBytes });
  // A range that does not continue what arrived answers 416 (Media Transfer Guide), with Content-Range saying what
  // is there, so the sender can resume from it.
  if (session.nextChunk >= count || !stillUploading) return fail(416, 'invalid_file_upload', 'The upload is already complete.');
  const expected = rangeOf(session.nextChunk);
  if (first !== expected.start || last !== expected.end) {
    return fail(416, 'invalid_file_upload', `Chunks must be sent in order; expected bytes ${expected.start}-${expected.end}.`);
  }
  session.parts.push(bytes);
  session.nextChunk += 1;
  if (session.nextChunk < count) return ok({ status: 206, uploadedBytes: last + 1 });
  const file = Buffer.concat(session.parts);
  // Keep the count of parts (for repeats), not their bytes.
  session.parts = session.parts.map(() => new Uint8Array(0));
  return ok({ status: 201, uploadedBytes: last + 1, file });
}

export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
  /** Aborts the download (the emulator is stopping or resetting). */
  signal: AbortSignal;
}

/**
 * Fetches a video as TikTok pulls it; undefined when it cannot (error status, a redirect, too large, too slow,
 * unreachable).
 * `onBytes` reports the running total for downloaded_bytes.
 */
export async function downloadVideo(url: string, limits: DownloadLimits, onBytes: (total: number) => void): Promise<Uint8Array | undefined> {
  const signal = AbortSignal.any([limits.signal, AbortSignal.timeout(limits.timeoutMs)]);
  try {
    // TikTok does not follow redirects (a redirecting URL fails video_pull_failed); a 3xx is not ok.
    const response = await fetch(url, { signal, redirect: 'manual' });
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (!response.ok || !response.body || declared > limits.maxBytes) {
      await response.body?.cancel();
      return undefined;
    }
    const parts: Uint8Array[] = [];
    let total = 0;
    for await (const part of response.body as unknown as AsyncIterable<Uint8Array>) {
      parts.push(part);
      total += part.byteLength;
      onBytes(total);
      if (total > limits.maxBytes) {
        await response.body.cancel().catch(() => undefined);
        return undefined;
      }
    }
    return Buffer.concat(parts);
  } catch {
    return undefined;
  }
}
