import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { errorTypeOf, instruments, TELEMETRY_SCOPE } from '@reelpost/api';
import { isTikTokError, type TikTokClient, type TikTokClientEvent } from '@reelpost/tiktok';

const tracer = trace.getTracer(TELEMETRY_SCOPE);

/** The endpoint each client method calls, for span names; a method added later is named after itself. */
const ENDPOINT_OF: Partial<Record<string, string>> = {
  exchangeCode: 'oauth.token',
  refreshAccessToken: 'oauth.token',
  revokeToken: 'oauth.revoke',
  getUserInfo: 'user.info',
  queryCreatorInfo: 'creator_info.query',
  initDirectPost: 'video.init',
  initInboxUpload: 'inbox.video.init',
  initPhotoPost: 'content.init',
  uploadChunks: 'upload',
  fetchPostStatus: 'status.fetch',
};

/** Methods that compute locally (the authorize URL): no span, nothing sent. */
const LOCAL = new Set(['buildAuthorizeUrl']);

/**
 * The TikTok client with a client span around every call (`tiktok video.init`): TikTok's error.code, log_id and
 * HTTP status as attributes (from the client's own events, per attempt), the fetch and its retries inside it.
 * Arguments are never recorded — they are tokens, captions and URLs. Token refreshes are counted by outcome.
 */
export function observeTikTokClient(client: TikTokClient): TikTokClient {
  const observed: Record<string, unknown> = {};
  for (const [method, value] of Object.entries(client)) {
    if (typeof value !== 'function' || LOCAL.has(method)) {
      observed[method] = value;
      continue;
    }
    const endpoint = ENDPOINT_OF[method] ?? method;
    const call = value as (...args: unknown[]) => Promise<unknown>;
    observed[method] = (...args: unknown[]) =>
      tracer.startActiveSpan(`tiktok ${endpoint}`, { kind: SpanKind.CLIENT, attributes: { 'tiktok.endpoint': endpoint, 'tiktok.method': method } }, async (span) => {
        try {
          const result = await call.apply(client, args);
          span.setAttribute('tiktok.error.code', 'ok');
          if (method === 'refreshAccessToken') instruments().tokenRefreshes.add(1, { outcome: 'success' });
          return result;
        } catch (error) {
          const code = isTikTokError(error) ? error.code : errorTypeOf(error);
          span.setAttribute('tiktok.error.code', code);
          if (isTikTokError(error)) {
            if (error.logId) span.setAttribute('tiktok.log_id', error.logId);
            if (error.httpStatus !== undefined) span.setAttribute('http.response.status_code', error.httpStatus);
            span.setAttribute('tiktok.outcome_unknown', error.outcomeUnknown);
          }
          span.setAttribute('error.type', code);
          span.setStatus({ code: SpanStatusCode.ERROR, message: code });
          if (method === 'refreshAccessToken') instruments().tokenRefreshes.add(1, { outcome: code });
          throw error;
        } finally {
          span.end();
        }
      });
  }
  return observed as unknown as TikTokClient;
}

/**
 * The client's per-attempt events as metrics, and as attributes of the call's span: TikTok calls by endpoint and
 * outcome, 429s, retries, latency. Every value is from a closed set (endpoints, TikTok's error codes, statuses).
 */
export function recordTikTokEvent(event: TikTokClientEvent): void {
  const metrics = instruments();
  const span = trace.getActiveSpan();
  if (event.type === 'response') {
    const attributes = { 'tiktok.endpoint': event.endpoint, 'tiktok.error.code': event.code, 'http.response.status_code': event.httpStatus };
    metrics.tiktokRequests.add(1, attributes);
    metrics.tiktokRequestDuration.record(event.durationMs / 1000, { 'tiktok.endpoint': event.endpoint });
    if (event.httpStatus === 429 || event.code === 'rate_limit_exceeded') metrics.tiktokRateLimited.add(1, { 'tiktok.endpoint': event.endpoint });
    span?.setAttributes({ ...attributes, 'tiktok.attempt': event.attempt, ...(event.logId !== undefined && { 'tiktok.log_id': event.logId }) });
  } else if (event.type === 'retry') {
    metrics.tiktokRetries.add(1, { 'tiktok.endpoint': event.endpoint, 'tiktok.error.code': event.code });
    span?.addEvent('retry', { 'tiktok.attempt': event.attempt, 'tiktok.error.code': event.code, 'retry.delay_ms': event.delayMs });
  } else if (NO_ANSWER.has(event.code)) {
    // A failure with no answer at all: counted as a call with HTTP status 0 (the others came as `response` events).
    metrics.tiktokRequests.add(1, { 'tiktok.endpoint': event.endpoint, 'tiktok.error.code': event.code, 'http.response.status_code': 0 });
  }
}

const NO_ANSWER = new Set(['timeout', 'network_error', 'aborted']);
