import { AppError, appError } from '../errors.js';
import { checkVideoUrl, describeUrl, videoUrlNotAllowed } from './check.js';
import type { VideoUrlPolicy } from './policy.js';
import {
  type Deadline,
  type GuardedResponse,
  guardedRequest,
  startDeadline,
  statusError,
  type VideoUrlGuardOptions,
} from './request.js';

/** The video types TikTok accepts (Media requirements: MP4, WebM, MOV) and the file extensions that name them. */
export const VIDEO_CONTENT_TYPES = {
  'video/mp4': ['.mp4'],
  'video/quicktime': ['.mov'],
  'video/webm': ['.webm'],
} as const;

export type VideoContentType = keyof typeof VIDEO_CONTENT_TYPES;

/** Served types that say nothing about the content; for these (or no type at all) the URL's extension decides. */
const GENERIC_TYPES = new Set(['application/octet-stream', 'binary/octet-stream']);

export interface VideoProbe {
  /** The URL that finally answered (after redirects, each checked); normalised, fragment dropped. */
  finalUrl: string;
  /** The file's size, when the server told it (Content-Length of a full answer or the total of a Content-Range). */
  sizeBytes: number | null;
  /**
   * The video's type: the served type when it is a video type TikTok accepts; for `application/octet-stream` or no
   * type, the type named by the URL's extension (.mp4, .mov, .webm). Use it as FILE_UPLOAD's Content-Type.
   */
  contentType: VideoContentType;
  /** The Content-Type header as served, for logs. */
  servedContentType: string | null;
  /** Whether the server honours byte ranges (needed to stream FILE_UPLOAD chunks without reading the whole file). */
  acceptsRanges: boolean;
}

interface Facts {
  url: URL;
  sizeBytes: number | null;
  servedContentType: string | null;
  acceptsRanges: boolean;
}

/** Statuses with which servers refuse a HEAD they would answer as a GET (S3-style signed GET URLs answer 403). */
const HEAD_REFUSED = new Set([400, 403, 405, 501]);

/**
 * Checks the URL (see `checkVideoUrl`), then asks the server about the file with a HEAD — or, when HEAD is refused or
 * gives no size, a `Range: bytes=0-0` GET — through the guarded connection (addresses checked at connect time, every
 * redirect hop checked again, one overall `policy.timeoutMs` deadline). Refuses a type TikTok does not take
 * (`VIDEO_URL_NOT_ALLOWED`, reason `content_type`), an empty file (reason `empty`) and a file over `policy.maxBytes`
 * (`VIDEO_TOO_LARGE`); an unknown size passes (`sizeBytes: null`).
 */
export async function probeVideoUrl(
  input: string,
  policy: VideoUrlPolicy,
  options: VideoUrlGuardOptions = {},
): Promise<VideoProbe> {
  const probe = await probeMediaUrl(input, policy, VIDEO_MEDIA, options);
  return { ...probe, contentType: probe.contentType as VideoContentType };
}

/** Which files a probe accepts: types and the extensions that name them, and how a refusal speaks of them. */
export interface AcceptedMedia {
  types: Readonly<Record<string, readonly string[]>>;
  /** "video", "image": what the file is called in messages. */
  noun: string;
  /** The accepted formats for a person, e.g. "MP4, MOV or WebM". */
  formats: string;
  /** What to do about a file of another type. */
  typeHint: string;
}

const VIDEO_MEDIA: AcceptedMedia = {
  types: VIDEO_CONTENT_TYPES,
  noun: 'video',
  formats: 'MP4, MOV or WebM',
  typeHint: 'Upload the video as .mp4, .mov or .webm and serve it as video/mp4, video/quicktime or video/webm.',
};

/** `probeVideoUrl` for any accepted media (photo posts probe their images with it): same guard, same limits. */
export async function probeMediaUrl(
  input: string,
  policy: VideoUrlPolicy,
  accepted: AcceptedMedia,
  options: VideoUrlGuardOptions = {},
): Promise<Omit<VideoProbe, 'contentType'> & { contentType: string }> {
  const url = checkVideoUrl(input, policy);
  const deadline = startDeadline(policy.timeoutMs, options.signal);
  let facts: Facts;
  try {
    facts = await askServer(url, policy, options, deadline);
  } finally {
    deadline.dispose();
  }
  const contentType = mediaContentType(facts, accepted);
  if (facts.sizeBytes === 0) {
    throw videoUrlNotAllowed(
      'empty',
      `${describeUrl(facts.url)} is an empty file.`,
      `Upload the ${accepted.noun} again; the stored file has no content.`,
    );
  }
  if (facts.sizeBytes !== null && facts.sizeBytes > policy.maxBytes) {
    throw appError(
      'VIDEO_TOO_LARGE',
      `The ${accepted.noun} is ${formatBytes(facts.sizeBytes)}; TikTok accepts at most ${formatBytes(policy.maxBytes)}.`,
      {
        hint: accepted.noun === 'video' ? 'Compress or shorten the video and try again.' : `Compress the ${accepted.noun} and try again.`,
        details: { sizeBytes: facts.sizeBytes, maxBytes: policy.maxBytes },
      },
    );
  }
  return {
    finalUrl: facts.url.href,
    sizeBytes: facts.sizeBytes,
    contentType,
    servedContentType: facts.servedContentType,
    acceptsRanges: facts.acceptsRanges,
  };
}

async function askServer(
  url: URL,
  policy: VideoUrlPolicy,
  options: VideoUrlGuardOptions,
  deadline: Deadline,
): Promise<Facts> {
  const head = await guardedRequest(url, policy, { method: 'HEAD', headers: {} }, options, deadline);
  head.close();
  const status = head.response.statusCode ?? 0;
  if (status === 200 || status === 203) {
    const fromHead = factsOfFullAnswer(head);
    if (fromHead.sizeBytes !== null) return fromHead;
    // No size in the HEAD answer: a one-byte range read usually tells it. If that fails for a reason other than a
    // refusal, what HEAD said stands.
    try {
      const ranged = await rangeFacts(head.url, policy, options, deadline);
      return { ...ranged, servedContentType: ranged.servedContentType ?? fromHead.servedContentType };
    } catch (error) {
      if (error instanceof AppError && error.appCode === 'VIDEO_URL_UNREACHABLE' && !deadline.signal.aborted)
        return fromHead;
      throw error;
    }
  }
  if (HEAD_REFUSED.has(status)) return rangeFacts(head.url, policy, options, deadline);
  throw statusError(head.url, status);
}

async function rangeFacts(
  url: URL,
  policy: VideoUrlPolicy,
  options: VideoUrlGuardOptions,
  deadline: Deadline,
): Promise<Facts> {
  const answer = await guardedRequest(
    url,
    policy,
    { method: 'GET', headers: { range: 'bytes=0-0' } },
    options,
    deadline,
  );
  answer.close();
  const { headers } = answer.response;
  const status = answer.response.statusCode ?? 0;
  if (status === 206 || status === 416) {
    const range = parseContentRange(headers['content-range']);
    return {
      url: answer.url,
      sizeBytes: range?.total ?? null,
      servedContentType: headers['content-type'] ?? null,
      acceptsRanges: true,
    };
  }
  if (status === 200 || status === 203) return { ...factsOfFullAnswer(answer), acceptsRanges: false };
  throw statusError(answer.url, status);
}

function factsOfFullAnswer(answer: GuardedResponse): Facts {
  const { headers } = answer.response;
  return {
    url: answer.url,
    sizeBytes: parseLength(headers['content-length']),
    servedContentType: headers['content-type'] ?? null,
    acceptsRanges: (headers['accept-ranges'] ?? '')
      .toLowerCase()
      .split(',')
      .some((unit) => unit.trim() === 'bytes'),
  };
}

function mediaContentType(facts: Facts, accepted: AcceptedMedia): string {
  const served = facts.servedContentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (Object.hasOwn(accepted.types, served)) return served;
  if (served === '' || GENERIC_TYPES.has(served)) {
    const lower = facts.url.pathname.toLowerCase();
    const byExtension = Object.entries(accepted.types).find(([, extensions]) => extensions.some((extension) => lower.endsWith(extension)));
    if (byExtension) return byExtension[0];
  }
  const shown = served === '' ? 'no content type' : `"${served.slice(0, 60)}"`;
  throw videoUrlNotAllowed(
    'content_type',
    `${describeUrl(facts.url)} is served with ${shown}, not as ${accepted.noun === 'image' ? 'an' : 'a'} ${accepted.noun} TikTok accepts (${accepted.formats}).`,
    accepted.typeHint,
    { servedContentType: served === '' ? null : served },
  );
}

export function parseLength(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,16}$/.test(value.trim())) return null;
  const length = Number(value.trim());
  return Number.isSafeInteger(length) ? length : null;
}

export interface ContentRange {
  /** null for `bytes *\/total` (the answer to an unsatisfiable range). */
  start: number | null;
  end: number | null;
  total: number | null;
}

export function parseContentRange(value: string | undefined): ContentRange | null {
  if (value === undefined) return null;
  const satisfied = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16}|\*)$/i.exec(value.trim());
  if (satisfied) {
    const [, start, end, total] = satisfied as unknown as [string, string, string, string];
    return { start: Number(start), end: Number(end), total: total === '*' ? null : Number(total) };
  }
  const unsatisfied = /^bytes \*\/(\d{1,16})$/i.exec(value.trim());
  if (unsatisfied) return { start: null, end: null, total: Number(unsatisfied[1]) };
  return null;
}

function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  if (gib >= 1) return `${gib.toFixed(1)} GB`;
  const mib = bytes / 1024 ** 2;
  if (mib >= 1) return `${mib.toFixed(1)} MB`;
  return `${bytes} bytes`;
}
