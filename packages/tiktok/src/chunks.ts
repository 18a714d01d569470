import { TikTokError } from './errors.js';
import { readChunkAnswer, type ChunkAnswer } from './chunk-answers.js';
import { fetchFailure, withRetries, type Transport } from './transport.js';

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
  // "Videos with a total size greater than 64 MB must be uploaded in multiple chunks": two halves, the second
  // taking the odd byte (each at most 64 MiB + 1 byte, well under the final chunk's 128 MB).
  if (videoSize > MAX_CHUNK_SIZE && Math.floor(videoSize / chunkSize) < 2) chunkSize = Math.floor(videoSize / 2);
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

/** Reads the plan's chunks by range: any range from readChunk, forward only from a stream. */
function chunkReader(source: ChunkSource, plan: ChunkPlan): (range: ChunkRange) => Promise<Uint8Array> {
  if (source.readChunk) {
    return async (range) => {
      const bytes = await source.readChunk(range.start, range.end + 1);
      if (bytes.byteLength !== range.size) {
        throw invalid(`readChunk(${range.start}, ${range.end + 1}) returned ${bytes.byteLength} bytes instead of ${range.size}`);
      }
      return bytes;
    };
  }
  const iterator = (source.stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  let offset = 0;
  let leftover: Uint8Array = new Uint8Array(0);
  return async (range) => {
    if (range.start < offset) throw invalid(`a stream cannot go back to byte ${range.start}; it is at ${offset}`);
    const parts: Uint8Array[] = [];
    let collected = 0;
    while (collected < range.size) {
      if (leftover.byteLength === 0) {
        const next = await iterator.next();
        if (next.done) throw invalid(`the stream ended after ${offset} of ${plan.videoSize} bytes`);
        leftover = next.value;
      }
      // Skip what TikTok already has, then take this chunk's bytes.
      const skip = Math.min(leftover.byteLength, Math.max(0, range.start - offset));
      leftover = leftover.subarray(skip);
      offset += skip;
      const take = Math.min(leftover.byteLength, range.size - collected);
      if (take > 0 && offset >= range.start) {
        parts.push(leftover.subarray(0, take));
        leftover = leftover.subarray(take);
        offset += take;
        collected += take;
      }
    }
    return Buffer.concat(parts);
  };
}

/**
 * Sends the chunks in order with Content-Range; each chunk is retried on its own (a PUT of a range is repeatable)
 * when TikTok answers 5xx or the connection fails. A 206 tells how much TikTok has (its Content-Range): the next
 * chunk is the first one TikTok lacks, so a resumed upload skips what already arrived.
 */
export async function uploadChunksWith(transport: Transport, input: UploadChunksInput): Promise<UploadChunksResult> {
  if (!(VIDEO_CONTENT_TYPES as readonly string[]).includes(input.contentType)) {
    throw invalid(`content type must be one of ${VIDEO_CONTENT_TYPES.join(', ')}`);
  }
  const plan = planChunks(input.size, input.chunkSize);
  const fromChunk = input.fromChunk ?? 0;
  if (!Number.isInteger(fromChunk) || fromChunk < 0 || fromChunk > plan.totalChunkCount) {
    throw invalid(`fromChunk must be between 0 and ${plan.totalChunkCount}`);
  }
  const read = chunkReader(input, plan);
  let chunksSent = 0;
  // Resuming past the last chunk means nothing is left to send.
  let complete = fromChunk === plan.totalChunkCount;
  let uploadedBytes = plan.chunks[fromChunk]?.start ?? plan.videoSize;
  for (let index = fromChunk; index < plan.totalChunkCount; ) {
    const range = plan.chunks[index]!;
    const bytes = await read(range);
    const answer: ChunkAnswer = await withRetries(transport, 'upload', input.signal, async () => {
      const timeoutSignal = AbortSignal.timeout(transport.timeoutMs);
      const signal = input.signal ? AbortSignal.any([input.signal, timeoutSignal]) : timeoutSignal;
      let response: Response;
      let text: string;
      try {
        response = await transport.fetch(input.uploadUrl, {
          method: 'PUT',
          headers: { 'content-type': input.contentType, 'content-range': `bytes ${range.start}-${range.end}/${plan.videoSize}` },
          body: bytes,
          signal,
        });
        text = await response.text();
      } catch (error) {
        throw fetchFailure(error, { endpoint: 'upload', idempotent: true, callerSignal: input.signal, timeoutSignal });
      }
      return readChunkAnswer(response, text, plan.videoSize);
    });
    chunksSent += 1;
    complete = answer.status === 201;
    uploadedBytes = complete ? plan.videoSize : (answer.receivedBytes ?? range.end + 1);
    input.onProgress?.({ chunkIndex: range.index, uploadedBytes, totalBytes: plan.videoSize });
    if (complete) break;
    const next = firstMissingChunk(plan, uploadedBytes);
    if (next <= index && uploadedBytes < range.end + 1) {
      // TikTok says it has less than what it just acknowledged: going back would loop, so say so.
      throw new TikTokError({
        code: 'upload_range_mismatch',
        endpoint: 'upload',
        httpStatus: answer.status,
        detail: `TikTok reports ${uploadedBytes} bytes after chunk ${index} (bytes ${range.start}-${range.end})`,
      });
    }
    index = Math.max(next, index + 1);
  }
  return { plan, chunksSent, uploadedBytes, complete };
}
