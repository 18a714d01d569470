import type { TikTokEndpoint } from './endpoints.js';
import { describeTikTokError, type TikTokErrorAction } from './error-catalog.js';
import { redactSecrets } from './redact.js';

export interface TikTokErrorInit {
  code: string;
  /** TikTok's own message (error.message or error_description); redacted before it is kept. */
  detail?: string | undefined;
  logId?: string | undefined;
  httpStatus?: number | undefined;
  endpoint?: TikTokEndpoint | undefined;
  /** Overrides the catalog's answer (e.g. a network error on a call that is not safe to repeat). */
  retryable?: boolean | undefined;
  retryAfterMs?: number | undefined;
  outcomeUnknown?: boolean | undefined;
  /** Kept non-enumerable; must never hold a request, a response body or anything else that may carry a token. */
  cause?: unknown;
}

/**
 * Every failure this package reports: TikTok's error envelope, the OAuth error shape, network failures, malformed
 * responses and the client's own rate limiter all become one of these. `message` is for people, `code` and
 * `action` for programs; TikTok's code and log_id are kept as they came.
 */
export class TikTokError extends Error {
  override readonly name = 'TikTokError';
  readonly code: string;
  readonly detail: string | undefined;
  readonly logId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly endpoint: TikTokEndpoint | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /**
   * The request may have reached TikTok and taken effect although no usable answer came back (an init whose
   * connection dropped). Check before sending it again; the client never repeats such a call by itself.
   */
  readonly outcomeUnknown: boolean;
  readonly hint: string;
  readonly action: TikTokErrorAction;
  readonly known: boolean;

  constructor(init: TikTokErrorInit) {
    const description = describeTikTokError(init.code, init.httpStatus);
    const detail = init.detail ? redactSecrets(init.detail).slice(0, 500) : undefined;
    // For input this client refused, the detail is the point; TikTok's own messages stay in `detail`.
    const message = init.code === 'invalid_input' && detail ? `${description.message.replace(/\.$/, '')}: ${detail}` : description.message;
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.detail = detail || undefined;
    this.logId = init.logId || undefined;
    this.httpStatus = init.httpStatus;
    this.endpoint = init.endpoint;
    this.retryable = init.retryable ?? description.retryable;
    this.retryAfterMs = init.retryAfterMs;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
    this.hint = init.outcomeUnknown ? `${description.hint} The request may have reached TikTok; check before repeating it.` : description.hint;
    this.action = init.outcomeUnknown && !['refresh_token', 'reauthorize'].includes(description.action) ? 'reconcile' : description.action;
    this.known = description.known;
  }

  /** A plain object for structured logs. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      hint: this.hint,
      action: this.action,
      detail: this.detail,
      logId: this.logId,
      httpStatus: this.httpStatus,
      endpoint: this.endpoint,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      outcomeUnknown: this.outcomeUnknown,
    };
  }
}

export function isTikTokError(error: unknown): error is TikTokError {
  return error instanceof TikTokError;
}
