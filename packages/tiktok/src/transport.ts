import type { z } from 'zod';
import type { TikTokClock } from './clock.js';
import { isRateLimitedEndpoint, RATE_LIMIT_WINDOW_MS, type TikTokEndpoint } from './endpoints.js';
import { TikTokError } from './errors.js';
import { parseJsonKeepingLargeIntegers } from './json.js';
import { tokenFingerprint, type SlidingWindowRateLimiter } from './rate-limiter.js';
import { redactSecrets } from './redact.js';
import { backoffDelay, type RetryOptions } from './retry.js';
import { envelopeSchema } from './schemas.js';

/** Structured events for the caller's logger. They carry no tokens. */
export type TikTokClientEvent =
  | {
      type: 'response';
      endpoint: TikTokEndpoint;
      attempt: number;
      httpStatus: number;
      code: string;
      logId: string | undefined;
      durationMs: number;
    }
  | { type: 'failure'; endpoint: TikTokEndpoint; attempt: number; code: string; outcomeUnknown: boolean }
  | { type: 'retry'; endpoint: TikTokEndpoint; attempt: number; delayMs: number; code: string };

export interface Transport {
  apiBaseUrl: string;
  fetch: typeof fetch;
  clock: TikTokClock;
  retry: RetryOptions | null;
  limiter: SlidingWindowRateLimiter | null;
  timeoutMs: number;
  onEvent: ((event: TikTokClientEvent) => void) | undefined;
}

export interface EnvelopeCall<T extends z.ZodType> {
  endpoint: TikTokEndpoint;
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  accessToken: string;
  body?: unknown;
  dataSchema: T;
  /** Safe to send twice. Inits are not: once one may have reached TikTok it is never repeated blindly. */
  idempotent: boolean;
  signal?: AbortSignal | undefined;
}

export interface EnvelopeResult<T> {
  data: T;
  logId: string | undefined;
}

/** Errno codes that prove the request never left this machine, so even an init may be sent again. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL']);

export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

function errnoOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Turns a thrown fetch (or body read) into a TikTokError saying whether the request may have taken effect. */
export function fetchFailure(
  error: unknown,
  context: { endpoint: TikTokEndpoint; idempotent: boolean; callerSignal?: AbortSignal | undefined; timeoutSignal: AbortSignal },
): TikTokError {
  const mayHaveReached = !context.idempotent;
  if (context.callerSignal?.aborted) {
    return new TikTokError({ code: 'aborted', endpoint: context.endpoint, outcomeUnknown: mayHaveReached });
  }
  if (context.timeoutSignal.aborted) {
    return new TikTokError({ code: 'timeout', endpoint: context.endpoint, outcomeUnknown: mayHaveReached });
  }
  const errno = errnoOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return new TikTokError({
    code: 'network_error',
    endpoint: context.endpoint,
    detail: errno ? `${message} (${errno})` : message,
    outcomeUnknown: errno !== undefined && NOT_SENT_CODES.has(errno) ? false : mayHaveReached,
  });
}

function badResponse(
  endpoint: TikTokEndpoint,
  httpStatus: number,
  detail: string,
  idempotent: boolean,
  logId?: string,
): TikTokError {
  // A malformed answer to an init may still mean TikTok created the post.
  return new TikTokError({ code: 'bad_response', endpoint, httpStatus, detail, logId, outcomeUnknown: !idempotent });
}

function describeBody(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0) return 'an empty body';
  if (trimmed.startsWith('<')) return 'an HTML page';
  return `"${redactSecrets(trimmed.slice(0, 60))}${trimmed.length > 60 ? '…' : ''}"`;
}

/**
 * Reads a `{data, error}` answer. Whatever arrives — HTML from a proxy, truncated JSON, a missing envelope, data of
 * the wrong shape — ends as typed data or a TikTokError, never as an exception from JSON.parse or an undefined.
 */
export function readEnvelope<T extends z.ZodType>(
  text: string,
  httpStatus: number,
  call: Pick<EnvelopeCall<T>, 'endpoint' | 'dataSchema' | 'idempotent'>,
  limiter: { onServerLimit: () => number } | undefined,
): EnvelopeResult<z.output<T>> {
  let json: unknown;
  try {
    json = parseJsonKeepingLargeIntegers(text);
  } catch {
    throw badResponse(call.endpoint, httpStatus, `expected JSON, got ${describeBody(text)}`, call.idempotent);
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    throw badResponse(call.endpoint, httpStatus, 'the answer has no {data, error} envelope', call.idempotent);
  }
  const { code, message, log_id: logId } = envelope.data.error;
  if (code !== 'ok') {
    const serverSide = httpStatus >= 500 || code === 'internal_error';
    const rateLimited = httpStatus === 429 || code === 'rate_limit_exceeded';
    throw new TikTokError({
      code,
      detail: message,
      logId,
      httpStatus,
      endpoint: call.endpoint,
      retryAfterMs: rateLimited ? (limiter?.onServerLimit() ?? RATE_LIMIT_WINDOW_MS) : undefined,
      // TikTok answered, but a server-side failure of an init leaves open whether the post was created.
      outcomeUnknown: serverSide && !call.idempotent,
    });
  }
  if (httpStatus < 200 || httpStatus >= 300) {
    throw badResponse(call.endpoint, httpStatus, `error.code "ok" with HTTP ${httpStatus}`, call.idempotent, logId);
  }
  const data = call.dataSchema.safeParse(envelope.data.data);
  if (!data.success) {
    const path = data.error.issues[0]?.path.join('.') ?? '';
    throw badResponse(call.endpoint, httpStatus, `unexpected data${path ? ` at "${path}"` : ''}`, call.idempotent, logId);
  }
  return { data: data.data, logId };
}

/** Whether (and after how long) a failed attempt may be repeated. */
export function retryDelayFor(error: TikTokError, retryNumber: number, retry: RetryOptions | null): number | undefined {
  if (!retry || retryNumber >= retry.maxRetries) return undefined;
  if (!error.retryable || error.outcomeUnknown) return undefined;
  if (error.code === 'rate_limited') return undefined;
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs <= retry.maxRateLimitWaitMs ? error.retryAfterMs : undefined;
  }
  return backoffDelay(retryNumber, retry);
}

/** Repeats `attempt` while its failures are retryable and safe to repeat, backing off on the injected clock. */
export async function withRetries<T>(
  transport: Pick<Transport, 'clock' | 'retry' | 'onEvent'>,
  endpoint: TikTokEndpoint,
  signal: AbortSignal | undefined,
  attempt: (attemptNumber: number) => Promise<T>,
): Promise<T> {
  for (let attemptNumber = 0; ; attemptNumber += 1) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!(error instanceof TikTokError)) throw error;
      transport.onEvent?.({ type: 'failure', endpoint, attempt: attemptNumber, code: error.code, outcomeUnknown: error.outcomeUnknown });
      const delay = retryDelayFor(error, attemptNumber, transport.retry);
      if (delay === undefined) throw error;
      transport.onEvent?.({ type: 'retry', endpoint, attempt: attemptNumber, delayMs: delay, code: error.code });
      await transport.clock.sleep(delay, signal);
    }
  }
}

/** One Content Posting or user-info call: rate limit, send, read the envelope, retry what is safe to retry. */
export async function callEnvelopeApi<T extends z.ZodType>(
  transport: Transport,
  call: EnvelopeCall<T>,
): Promise<EnvelopeResult<z.output<T>>> {
  const tokenKey = tokenFingerprint(call.accessToken);
  const limiter = transport.limiter;
  const endpoint = call.endpoint;
  const serverLimit =
    limiter && isRateLimitedEndpoint(endpoint) ? { onServerLimit: () => limiter.blockUntilWindowPasses(tokenKey, endpoint) } : undefined;

  return withRetries(transport, endpoint, call.signal, async (attemptNumber) => {
    if (limiter && isRateLimitedEndpoint(endpoint)) await limiter.acquire(tokenKey, endpoint, call.signal);
    const url = new URL(joinUrl(transport.apiBaseUrl, call.path));
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
    const timeoutSignal = AbortSignal.timeout(transport.timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeoutSignal]) : timeoutSignal;
    const started = transport.clock.now();
    let response: Response;
    let text: string;
    try {
      response = await transport.fetch(url, {
        method: call.method,
        headers: {
          authorization: `Bearer ${call.accessToken}`,
          ...(call.method === 'POST' && { 'content-type': 'application/json; charset=UTF-8' }),
        },
        ...(call.method === 'POST' && { body: JSON.stringify(call.body ?? {}) }),
        signal,
      });
      text = await response.text();
    } catch (error) {
      throw fetchFailure(error, { endpoint, idempotent: call.idempotent, callerSignal: call.signal, timeoutSignal });
    }
    try {
      const result = readEnvelope(text, response.status, call, serverLimit);
      transport.onEvent?.({
        type: 'response',
        endpoint,
        attempt: attemptNumber,
        httpStatus: response.status,
        code: 'ok',
        logId: result.logId,
        durationMs: transport.clock.now() - started,
      });
      return result;
    } catch (error) {
      if (error instanceof TikTokError) {
        transport.onEvent?.({
          type: 'response',
          endpoint,
          attempt: attemptNumber,
          httpStatus: response.status,
          code: error.code,
          logId: error.logId,
          durationMs: transport.clock.now() - started,
        });
      }
      throw error;
    }
  });
}
