import { Readable } from 'node:stream';
import { appError } from '../errors.js';
import { checkVideoUrl, describeUrl } from './check.js';
import type { VideoUrlPolicy } from './policy.js';
import { parseContentRange, parseLength } from './probe.js';
import {
  type Deadline,
  type GuardedResponse,
  guardedRequest,
  startDeadline,
  statusError,
  unreachable,
  type VideoUrlGuardOptions,
} from './request.js';

export interface ByteRange {
  /** First byte, from 0. */
  start: number;
  /** Last byte, inclusive (HTTP's convention, and FILE_UPLOAD's Content-Range). */
  end: number;
}

export interface VideoRange {
  /** The bytes `body` delivers, inclusive; `end` is below the one asked for only when the file ends sooner. */
  start: number;
  end: number;
  /** The whole file's size when the server told it. */
  totalBytes: number | null;
  servedContentType: string | null;
  /**
   * Exactly `end - start + 1` bytes, as Buffers (a byte stream, also an async iterable). A failure while reading —
   * the server closing early, the idle limit (`policy.timeoutMs`) or the overall limit (`policy.readTimeoutMs`) —
   * errors the stream with a `VIDEO_URL_UNREACHABLE` AppError. Destroy it to stop early; the connection closes.
   */
  body: Readable;
}

/**
 * Opens a guarded read of bytes `start..end` of a video: `checkVideoUrl`, then a `Range` GET through the guarded
 * connection (addresses checked at connect time, redirects re-checked), with one deadline of `policy.readTimeoutMs`
 * for the request and the whole body. A server that ignores the range is accepted only for a range starting at 0
 * (the first bytes are taken and the connection closed); otherwise the read is refused rather than skipping bytes.
 */
export async function openVideoRange(
  input: string,
  policy: VideoUrlPolicy,
  range: ByteRange,
  options: VideoUrlGuardOptions = {},
): Promise<VideoRange> {
  const { start, end } = range;
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end) ||
    start < 0 ||
    end < start ||
    end >= policy.maxBytes
  ) {
    throw appError(
      'INTERNAL',
      `openVideoRange was asked for an invalid byte range (${String(start)}-${String(end)}).`,
      {
        details: { start, end, maxBytes: policy.maxBytes },
      },
    );
  }
  const url = checkVideoUrl(input, policy);
  const deadline = startDeadline(policy.readTimeoutMs, options.signal);
  let answer: GuardedResponse;
  try {
    answer = await guardedRequest(
      url,
      policy,
      { method: 'GET', headers: { range: `bytes=${start}-${end}` }, idleMs: policy.timeoutMs },
      options,
      deadline,
    );
  } catch (error) {
    deadline.dispose();
    throw error;
  }
  try {
    const delivered = rangeDelivered(answer, range);
    const length = delivered.end - delivered.start + 1;
    return {
      ...delivered,
      servedContentType: answer.response.headers['content-type'] ?? null,
      body: exactBody(answer, length, deadline),
    };
  } catch (error) {
    answer.close();
    deadline.dispose();
    throw error;
  }
}

function rangeDelivered(
  answer: GuardedResponse,
  asked: ByteRange,
): { start: number; end: number; totalBytes: number | null } {
  const { response, url } = answer;
  const status = response.statusCode ?? 0;
  if (status === 206) {
    const range = parseContentRange(response.headers['content-range']);
    const total = range?.total ?? null;
    const fits =
      range !== null &&
      range.start === asked.start &&
      range.end !== null &&
      (range.end === asked.end || (range.end < asked.end && total !== null && range.end === total - 1));
    if (!fits) {
      throw unreachable(
        `${describeUrl(url)} answered a different byte range than bytes ${asked.start}-${asked.end}.`,
        'The storage server does not serve byte ranges correctly; use the verified storage bucket.',
        { cause: 'range_mismatch', contentRange: response.headers['content-range'] ?? null },
      );
    }
    return { start: asked.start, end: range.end!, totalBytes: total };
  }
  if (status === 200) {
    const total = parseLength(response.headers['content-length']);
    if (asked.start !== 0) {
      throw unreachable(
        `${describeUrl(url)} does not serve byte ranges, so bytes ${asked.start}-${asked.end} cannot be read.`,
        'Serve the video from storage that supports HTTP range requests (the verified bucket does).',
        { cause: 'ranges_not_supported' },
      );
    }
    const end = total === null ? asked.end : Math.min(asked.end, total - 1);
    if (end < asked.start)
      throw unreachable(`${describeUrl(url)} is an empty file.`, 'Upload the video again.', { cause: 'empty' });
    return { start: 0, end, totalBytes: total };
  }
  if (status === 416) {
    const range = parseContentRange(response.headers['content-range']);
    throw unreachable(
      `Bytes ${asked.start}-${asked.end} lie beyond the end of ${describeUrl(url)}.`,
      'The file is shorter than expected; probe it again before uploading.',
      { cause: 'range_not_satisfiable', totalBytes: range?.total ?? null },
    );
  }
  throw statusError(url, status);
}

/**
 * A byte stream of exactly `length` bytes of the response. Built on the response's own events rather than an async
 * generator so that destroying it closes the connection at once, even while the server is silent.
 */
function exactBody(answer: GuardedResponse, length: number, deadline: Deadline): Readable {
  const { response } = answer;
  let remaining = length;
  const finish = () => {
    answer.close();
    deadline.dispose();
  };
  const body = new Readable({
    read() {
      response.resume();
    },
    destroy(error, callback) {
      finish();
      callback(error);
    },
  });
  const fail = (error: unknown) => {
    if (remaining > 0 && !body.destroyed) body.destroy(answer.explain(error));
  };
  response.on('data', (chunk: Buffer) => {
    if (remaining === 0) return;
    const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
    remaining -= part.length;
    const wantsMore = body.push(part);
    if (remaining === 0) {
      body.push(null);
      finish();
    } else if (!wantsMore) {
      response.pause();
    }
  });
  response.pause();
  response.on('error', fail);
  response.on('end', () => {
    if (remaining > 0 && !body.destroyed) {
      body.destroy(
        unreachable(
          `${describeUrl(answer.url)} ended ${remaining} bytes before the end of the range.`,
          'The storage connection was interrupted; try again.',
          {
            cause: 'ended_early',
            missingBytes: remaining,
          },
        ),
      );
    }
  });
  response.on('close', () => fail(Object.assign(new Error('connection closed'), { code: 'ECONNRESET' })));
  return body;
}
