import { TikTokError } from './errors.js';
import { parseJsonKeepingLargeIntegers } from './json.js';
import { envelopeSchema } from './schemas.js';

// What an upload URL answers (Media Transfer Guide): 206 with `Content-Range: bytes 0-{last}/{total}` while chunks
// are missing, 201 after the last; 400 bad headers, 403 an expired URL, 404 an unknown upload, 416 a range that does
// not continue what arrived, 5xx a passing failure. Error bodies need not be JSON, so each status is its own kind;
// TikTok's code, message and log_id are kept when the body is TikTok's envelope.

export interface ChunkAnswer {
  status: number;
  /** Bytes TikTok has, from the answer's Content-Range (last byte + 1), when it sent one. */
  receivedBytes: number | undefined;
}

// "bytes 0-{last}/{total}" gives last + 1, "bytes (star)/{total}" gives 0, anything else undefined.
export function receivedBytesOf(contentRange: string | null, videoSize: number): number | undefined {
  const match = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(contentRange?.trim() ?? '');
  if (!match) return undefined;
  if (match[2] === undefined) return 0;
  return Math.min(videoSize, Number(match[2]) + 1);
}

function envelopeOf(text: string): { code: string; message?: string | undefined; logId?: string | undefined } | undefined {
  try {
    const envelope = envelopeSchema.safeParse(parseJsonKeepingLargeIntegers(text));
    if (!envelope.success || envelope.data.error.code === 'ok') return undefined;
    return { code: envelope.data.error.code, message: envelope.data.error.message, logId: envelope.data.error.log_id };
  } catch {
    return undefined;
  }
}

/** A 2xx answer as a ChunkAnswer; any other status as a TikTokError of its kind (5xx retryable, the rest not). */
export function readChunkAnswer(response: Response, text: string, videoSize: number): ChunkAnswer {
  const receivedBytes = receivedBytesOf(response.headers.get('content-range'), videoSize);
  if (response.ok) return { status: response.status, receivedBytes };
  const status = response.status;
  const envelope = envelopeOf(text);
  const byStatus: Record<number, string> = { 403: 'upload_url_expired', 404: 'upload_not_found', 416: 'upload_range_mismatch' };
  const code = byStatus[status] ?? envelope?.code ?? (status === 400 ? 'invalid_file_upload' : status >= 500 ? 'internal_error' : 'upload_rejected');
  const detail = [envelope?.message, receivedBytes === undefined ? undefined : `TikTok has ${receivedBytes} of ${videoSize} bytes`]
    .filter(Boolean)
    .join('; ');
  throw new TikTokError({ code, detail, logId: envelope?.logId, httpStatus: status, endpoint: 'upload', retryable: status >= 500 });
}
