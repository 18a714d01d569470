import { isDatabaseUnavailable } from '@reelpost/db';
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

/**
 * Every error a caller can meet has a stable code here, the HTTP status it travels with, and (through the tRPC
 * error code) the same status on REST and tRPC. Clients switch on these codes; never rename one.
 */
export const ERROR_CODES = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** The identity provider's keys could not be fetched: we could not check the token, it was not found invalid. */
  AUTH_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  FORBIDDEN: 'FORBIDDEN',
  INVALID_INPUT: 'BAD_REQUEST',
  /** A tRPC batch naming more calls than MAX_BATCH_ITEMS: refused before any runs. */
  BATCH_TOO_LARGE: 'BAD_REQUEST',
  TASK_NOT_FOUND: 'NOT_FOUND',
  INSTANCE_NOT_FOUND: 'NOT_FOUND',
  ACCOUNT_NOT_FOUND: 'NOT_FOUND',
  NO_TIKTOK_ACCOUNT: 'NOT_FOUND',
  POST_NOT_FOUND: 'NOT_FOUND',
  TASK_NOT_COMPLETED: 'BAD_REQUEST',
  NO_VIDEO_OUTPUT: 'BAD_REQUEST',
  /** Photo posts (issue 19), each refused before TikTok is called. */
  NO_PHOTO_OUTPUT: 'BAD_REQUEST',
  TOO_MANY_PHOTOS: 'BAD_REQUEST',
  PHOTO_FORMAT_NOT_SUPPORTED: 'BAD_REQUEST',
  PHOTO_TITLE_TOO_LONG: 'BAD_REQUEST',
  PHOTO_COVER_OUT_OF_RANGE: 'BAD_REQUEST',
  PHOTO_URL_NOT_ALLOWED: 'BAD_REQUEST',
  /** An option of the other media kind: duet, stitch or a video cover on a photo post; photo options on a video. */
  OPTION_NOT_APPLICABLE: 'BAD_REQUEST',
  VIDEO_URL_NOT_ALLOWED: 'BAD_REQUEST',
  VIDEO_URL_UNREACHABLE: 'BAD_REQUEST',
  VIDEO_TOO_LARGE: 'BAD_REQUEST',
  VIDEO_TOO_LONG: 'BAD_REQUEST',
  PRIVACY_LEVEL_NOT_ALLOWED: 'BAD_REQUEST',
  INTERACTION_DISABLED: 'BAD_REQUEST',
  BRANDED_CONTENT_PRIVATE: 'BAD_REQUEST',
  SCHEDULE_IN_PAST: 'BAD_REQUEST',
  SCHEDULE_TOO_FAR: 'BAD_REQUEST',
  ACCOUNT_NEEDS_REAUTH: 'BAD_REQUEST',
  CREATOR_CANNOT_POST: 'BAD_REQUEST',
  OAUTH_STATE_INVALID: 'BAD_REQUEST',
  ALREADY_POSTED: 'CONFLICT',
  POST_IN_PROGRESS: 'CONFLICT',
  POST_NOT_CANCELLABLE: 'CONFLICT',
  POST_OUTCOME_UNKNOWN: 'CONFLICT',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  /** Live status (issue 20): more open streams than this user, or this server, may hold. */
  TOO_MANY_STREAMS: 'TOO_MANY_REQUESTS',
  /** Live status cannot be followed on this server right now (shutting down, or started without it). */
  LIVE_STATUS_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  TIKTOK_ERROR: 'BAD_GATEWAY',
  TIKTOK_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** Our database cannot be reached right now (a restart, a failover): nothing was decided; the same request may be sent again. */
  DATABASE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const satisfies Record<string, TRPC_ERROR_CODE_KEY>;

export type AppErrorCode = keyof typeof ERROR_CODES;

export interface TikTokErrorRef {
  code: string;
  logId: string | null;
}

export interface AppErrorDetails {
  hint?: string;
  tiktok?: TikTokErrorRef;
  retryAfterMs?: number;
  /** Small, safe, structured facts a client may show (e.g. the privacy levels that are offered). */
  details?: Record<string, unknown>;
}

/** The payload carried as a TRPCError's cause; the error formatter lifts it into `data`. */
export class AppErrorCause extends Error {
  override readonly name = 'AppErrorCause';
  constructor(
    readonly appCode: AppErrorCode,
    message: string,
    readonly extra: AppErrorDetails,
  ) {
    super(message);
  }
}

export class AppError extends TRPCError {
  declare readonly cause: AppErrorCause;
  constructor(appCode: AppErrorCode, message: string, extra: AppErrorDetails = {}) {
    super({ code: ERROR_CODES[appCode], message, cause: new AppErrorCause(appCode, message, extra) });
  }

  get appCode(): AppErrorCode {
    return this.cause.appCode;
  }

  get hint(): string | undefined {
    return this.cause.extra.hint;
  }
}

export function appError(appCode: AppErrorCode, message: string, extra: AppErrorDetails = {}): AppError {
  return new AppError(appCode, message, extra);
}

const DEFAULT_CODE_FOR: Partial<Record<TRPC_ERROR_CODE_KEY, AppErrorCode>> = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_REQUEST: 'INVALID_INPUT',
  PARSE_ERROR: 'INVALID_INPUT',
  // A body tRPC cannot read (e.g. form data where JSON is expected): the caller's mistake, not ours.
  UNSUPPORTED_MEDIA_TYPE: 'INVALID_INPUT',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'TIKTOK_UNAVAILABLE',
  BAD_GATEWAY: 'TIKTOK_ERROR',
};

/**
 * A database that cannot be reached becomes 503 DATABASE_UNAVAILABLE — a pause to wait out, not our bug (500). Any
 * other error comes back unchanged.
 */
export function asDatabaseUnavailable(error: unknown): unknown {
  if (error instanceof AppError || !isDatabaseUnavailable(error)) return error;
  return appError('DATABASE_UNAVAILABLE', 'Reelpost’s database cannot be reached right now.', {
    hint: 'Try again in a few seconds; nothing was lost. With the same idempotencyKey a post is never sent twice.',
  });
}

/** The stable code of any error that reaches the formatter, including tRPC's own (bad input, unknown procedure). */
export function appCodeOf(error: TRPCError): AppErrorCode | 'NOT_FOUND' | 'METHOD_NOT_SUPPORTED' | 'PAYLOAD_TOO_LARGE' {
  if (error.cause instanceof AppErrorCause) return error.cause.appCode;
  if (error.code === 'NOT_FOUND' || error.code === 'METHOD_NOT_SUPPORTED' || error.code === 'PAYLOAD_TOO_LARGE') {
    return error.code;
  }
  return DEFAULT_CODE_FOR[error.code] ?? 'INTERNAL';
}
