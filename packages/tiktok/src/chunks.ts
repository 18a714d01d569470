import { z } from 'zod';
import { TikTokError } from './errors.js';
import { fetchFailure, readEnvelope, withRetries, type Transport } from './transport.js';

// FILE_UPLOAD rules from TikTok's Media Transfer Guide: chunks of 5–64 MB, total_chunk_count = floor(size /
// chunk_size) so the last chunk takes the remainder (up to 128 MB), a file under 5 MB goes whole, 1–1,000 chunks,
// sent in order with Content-Range. "MB" is read as MiB (2^20 bytes), which satisfies either reading.

export const MIB = 1024 * 1024;
export const MIN_CHUNK_SIZE = 5 * MIB;
export const MAX_CHUNK_SIZE = 64 * MIB;
export const MAX_FINAL_CHUNK_SIZE = 128 * MIB;
export const MAX_CHUNK_COUNT = 1000;
export const MAX_VIDEO_SIZE = 4 * 1024 * MIB;
export const DEFAULT_CHUNK_SIZE = 10 * MIB;

export const VIDEO_CONTENT_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'] as const;
export type VideoContentType = (typeof VIDEO_CONTENT_TYPES)[number];

export interface ChunkRange {
  index: number;
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive (as in Content-Range). */
  end: number;
  size: number;
}

export interface ChunkPlan {
  videoSize: number;
  chunkSize: number;
  totalChunkCount: number;
  chunks: ChunkRange[];
}

function invalid(detail: string): TikTokError {
  return new TikTokError({ code: 'invalid_input', endpoint: 'upload', detail });
}

/**
 * The chunking TikTok expects for a file of `videoSize` bytes. `preferredChunkSize` is clamped to 5–64 MiB and
 * grown when the file would otherwise need more than 1,000 chunks. Pure: the same input always gives the same plan,
 * so init and upload agree.
 */
export function planChunks(videoSize: number, preferredChunkSize = DEFAULT_CHUNK_SIZE): ChunkPlan {
  if (!Number.isSafeInteger(videoSize) || videoSize <= 0) throw invalid(`video size must be a positive whole number of bytes, not ${videoSize}`);
  if (videoSize > MAX_VIDEO_SIZE) throw invalid(`TikTok accepts videos up to 4 GB; this one has ${videoSize} bytes`);
  let chunkSize = Math.min(MAX_CHUNK_SIZE, Math.max(MIN_CHUNK_SIZE, Math.floor(preferredChunkSize)));
  if (videoSize < MIN_CHUNK_SIZE || videoSize <= chunkSize) chunkSize = videoSize;
  if (Math.floor(videoSize / chunkSize) > MAX_CHUNK_COUNT) chunkSize = Math.ceil(videoSize / MAX_CHUNK_COUNT);
  const totalChunkCount = Math.floor(videoSize / chunkSize);
  const chunks: ChunkRange[] = [];
  for (let index = 0; index < totalChunkCount; index += 1) {
    const start = index * chunkSize;
    const end = index === totalChunkCount - 1 ? videoSize - 1 : start + chunkSize - 1;
    chunks.push({ index, start, end, size: end - start + 1 });
  }
  return { videoSize, chunkSize, totalChunkCount, chunks };
}

/** Where to resume: the index of the first chunk TikTok does not have, from status' uploaded_bytes. */
export function firstMissingChunk(plan: ChunkPlan, uploadedBytes: number): number {
  if (uploadedBytes >= plan.videoSize) return plan.totalChunkCount;
  return Math.min(plan.totalChunkCount - 1, Math.floor(Math.max(0, uploadedBytes) / plan.chunkSize));
}

export type ChunkSource =
  /** Returns bytes [start, end) of the file (end exclusive, like Blob.slice). */
  | { readChunk: (start: number, end: number) => Promise<Uint8Array> | Uint8Array; stream?: undefined }
  /** The whole file from its first byte; bytes before `fromChunk` are read and skipped. */
  | { stream: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>; readChunk?: undefined };

export type UploadChunksInput = ChunkSource & {
  uploadUrl: string;
  size: number;
  contentType: VideoContentType;
  /** The chunk_size sent with the init (planChunks' default when the init was planned by this client). */
  chunkSize?: number;
  /** Resume from this chunk (see firstMissingChunk). */
  fromChunk?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { chunkIndex: number; uploadedBytes: number; totalBytes: number }) => void;
};

export interface UploadChunksResult {
  plan: ChunkPlan;
  chunksSent: number;
  uploadedBytes: number;
  /** TikTok answers 201 once the last chunk is in. */
  complete: boolean;
}

async function* readRanges(source: ChunkSource, plan: ChunkPlan, fromChunk: number): AsyncGenerator<[ChunkRange, Uint8Array]> {
  const wanted = plan.chunks.slice(fromChunk);
  if (source.readChunk) {
    for (const range of wanted) {
      const bytes = await source.readChunk(range.start, range.end + 1);
      if (bytes.byteLength !== range.size) {
        throw invalid(`readChunk(${range.start}, ${range.end + 1}) returned ${bytes.byteLength} bytes instead of ${range.size}`);
      }
      yield [range, bytes];
    }
    return;
  }
  // Stream: buffer each chunk, skipping what was already uploaded.
  let offset = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let next = 0;
  const iterable = source.stream as AsyncIterable<Uint8Array>;
  for await (const piece of iterable) {
    let view = piece;
    while (view.byteLength > 0 && next < wanted.length) {
      const range = wanted[next]!;
      if (offset < range.start) {
        const skip = Math.min(view.byteLength, range.start - offset);
        view = view.subarray(skip);
        offset += skip;
        continue;
      }
      const take = Math.min(view.byteLength, range.size - pendingBytes);
      pending.push(view.subarray(0, take));
      pendingBytes += take;
      offset += take;
      view = view.subarray(take);
      if (pendingBytes === range.size) {
        yield [range, Buffer.concat(pending)];
        pending = [];
        pendingBytes = 0;
        next += 1;
      }
    }
  }
  if (next < wanted.length) throw invalid(`the stream ended after ${offset} of ${plan.videoSize} bytes`);
}

/** Sends the chunks in order with Content-Range; each chunk is retried on its own (a PUT of a range is repeatable). */
export async function uploadChunksWith(transport: Transport, input: UploadChunksInput): Promise<UploadChunksResult> {
  if (!(VIDEO_CONTENT_TYPES as readonly string[]).includes(input.contentType)) {
    throw invalid(`content type must be one of ${VIDEO_CONTENT_TYPES.join(', ')}`);
  }
  const plan = planChunks(input.size, input.chunkSize);
  const fromChunk = input.fromChunk ?? 0;
  if (!Number.isInteger(fromChunk) || fromChunk < 0 || fromChunk > plan.totalChunkCount) {
    throw invalid(`fromChunk must be between 0 and ${plan.totalChunkCount}`);
  }
  let chunksSent = 0;
  // Resuming past the last chunk means nothing is left to send.
  let complete = fromChunk === plan.totalChunkCount;
  let uploadedBytes = plan.chunks[fromChunk]?.start ?? plan.videoSize;
  for await (const [range, bytes] of readRanges(input, plan, fromChunk)) {
    const status = await withRetries(transport, 'upload', input.signal, async () => {
      const timeoutSignal = AbortSignal.timeout(transport.timeoutMs);
      const signal = input.signal ? AbortSignal.any([input.signal, timeoutSignal]) : timeoutSignal;
      let response: Response;
      let text: string;
      try {
        response = await transport.fetch(input.uploadUrl, {
          method: 'PUT',
          headers: {
            'content-type': input.contentType,
            'content-range': `bytes ${range.start}-${range.end}/${plan.videoSize}`,
          },
          body: bytes,
          signal,
        });
        text = await response.text();
      } catch (error) {
        throw fetchFailure(error, { endpoint: 'upload', idempotent: true, callerSignal: input.signal, timeoutSignal });
      }
      if (response.ok) return response.status;
      // Errors come in TikTok's envelope; anything else is a bad response.
      readEnvelope(text, response.status, { endpoint: 'upload', dataSchema: z.unknown(), idempotent: true }, undefined);
      throw new TikTokError({ code: 'bad_response', endpoint: 'upload', httpStatus: response.status, detail: 'an error status with error.code "ok"' });
    });
    chunksSent += 1;
    uploadedBytes = range.end + 1;
    complete = status === 201;
    input.onProgress?.({ chunkIndex: range.index, uploadedBytes, totalBytes: plan.videoSize });
  }
  return { plan, chunksSent, uploadedBytes, complete };
}
