import { isTRPCClientError } from '@trpc/client';
import { REELPOST_ERROR_CODES, type ReelpostErrorCode, type ReelpostErrorData } from './contract.generated.js';

/** An error the API answered with, as `readReelpostError` reads it from a failed call. */
export interface ReelpostErrorInfo {
  /** The stable code to switch on (the table in this package’s README). */
  code: ReelpostErrorCode;
  /** The code as the server sent it: differs from `code` only when the server knows codes this client does not. */
  serverCode: string;
  /** A sentence a person can act on. */
  message: string;
  /** What to do about it, when there is something to do. */
  hint: string | null;
  /** TikTok's own error code and log id, when TikTok refused: quote them to TikTok's support. */
  tiktok: ReelpostErrorData['tiktok'];
  /** RATE_LIMITED: how long to wait before asking again. */
  retryAfterMs: number | null;
  /** INVALID_INPUT: each problem with the input, by path (`title`, `scheduledAt`, …). */
  issues: ReelpostErrorData['issues'];
  /** Small structured facts, e.g. the privacy levels the creator does offer. */
  details: Record<string, unknown> | null;
  /** The HTTP status it came with (401, 404, 429, …). */
  httpStatus: number;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(REELPOST_ERROR_CODES);

export function isReelpostErrorCode(value: unknown): value is ReelpostErrorCode {
  return typeof value === 'string' && KNOWN_CODES.has(value);
}

// What the server itself calls an error of each tRPC code when nothing more specific was said (errors.ts'
// appCodeOf); used for a code this client does not know yet.
const CODE_FOR_TRPC_CODE: Partial<Record<string, ReelpostErrorCode>> = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_REQUEST: 'INVALID_INPUT',
  PARSE_ERROR: 'INVALID_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_SUPPORTED: 'METHOD_NOT_SUPPORTED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'TIKTOK_UNAVAILABLE',
  BAD_GATEWAY: 'TIKTOK_ERROR',
};

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function tiktokOf(value: unknown): ReelpostErrorInfo['tiktok'] {
  if (!isRecord(value) || typeof value.code !== 'string') return null;
  return { code: value.code, logId: stringOrNull(value.logId) };
}

function issuesOf(value: unknown): ReelpostErrorInfo['issues'] {
  if (!Array.isArray(value)) return null;
  return value.filter(isRecord).map((issue) => ({
    path: typeof issue.path === 'string' ? issue.path : '',
    message: typeof issue.message === 'string' ? issue.message : 'Invalid value',
    code: stringOrNull(issue.code),
  }));
}

/**
 * Reads the API's error from whatever a call rejected with: `{ code, message, hint, … }` for an error the API
 * answered with, `null` for anything else (the network failed, a proxy answered, an error of your own code).
 *
 *   try { await client.tiktok.post.mutate(input) }
 *   catch (error) {
 *     const problem = readReelpostError(error);
 *     if (problem?.code === 'PRIVACY_LEVEL_NOT_ALLOWED') …
 *   }
 */
export function readReelpostError(error: unknown): ReelpostErrorInfo | null {
  if (!isTRPCClientError(error)) return null;
  const data: unknown = error.data;
  if (!isRecord(data)) return null;
  const httpStatus = numberOrNull(data.httpStatus);
  if (httpStatus === null) return null;
  const serverCode = stringOrNull(data.appCode) ?? stringOrNull(data.code) ?? 'INTERNAL';
  const code = isReelpostErrorCode(serverCode)
    ? serverCode
    : (CODE_FOR_TRPC_CODE[stringOrNull(data.code) ?? ''] ?? 'INTERNAL');
  return {
    code,
    serverCode,
    message: error.message,
    hint: stringOrNull(data.hint),
    tiktok: tiktokOf(data.tiktok),
    retryAfterMs: numberOrNull(data.retryAfterMs),
    issues: issuesOf(data.issues),
    details: isRecord(data.details) ? data.details : null,
    httpStatus,
  };
}
