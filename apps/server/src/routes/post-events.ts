import { AppError, appError, asDatabaseUnavailable, type Context as ApiContext, eventIdOf, LIVE_HEARTBEAT_MS, openPostWatch, watchInputSchema } from '@reelpost/api';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { Context, Handler } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppEnv, ContextRequest } from '../app.js';

export const POST_EVENTS_PATH = '/api/v1/tasks/:taskId/post-events';

/** How soon an EventSource reconnects after the stream drops (the SSE `retry:` field). */
const RECONNECT_MS = 1_000;

function errorBody(error: AppError, requestId: string) {
  const { hint, retryAfterMs } = error.cause.extra;
  return { error: { code: error.appCode, message: error.message, ...(hint && { hint }), requestId }, retryAfterMs };
}

function errorResponse(c: Context<AppEnv>, error: AppError): Response {
  const { error: body, retryAfterMs } = errorBody(error, c.get('requestId'));
  const headers: Record<string, string> = retryAfterMs ? { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } : {};
  return c.json({ error: body }, getHTTPStatusCodeFromError(error) as 400, headers);
}

/**
 * GET /api/v1/tasks/{taskId}/post-events: tiktok.watch for callers without tRPC, as `text/event-stream`. Refusals
 * are plain HTTP errors before the stream opens (401, 403, 404, 429); then one `post` event per change, its `id` the
 * `Last-Event-ID` to resume with; `end` after a final state (close the EventSource then). An error after that (the token expired, the server is shutting down) is an
 * `error` event carrying the same body as a REST error; the stream then ends.
 */
export function postEventsRoute(createContext: (request: ContextRequest) => Promise<ApiContext>): Handler<AppEnv> {
  return async (c) => {
    let events;
    try {
      const ctx = await createContext({ req: c.req.raw, requestId: c.get('requestId'), clientIp: c.get('clientIp') });
      if (!ctx.session) {
        throw appError('UNAUTHORIZED', 'Sign in first: this call needs a valid bearer token.', {
          hint: 'Send `Authorization: Bearer <token>` with a token from your identity provider.',
        });
      }
      const parsed = watchInputSchema.safeParse({
        taskId: c.req.param('taskId'),
        accountId: c.req.query('accountId'),
        lastEventId: c.req.header('last-event-id') ?? c.req.query('lastEventId'),
      });
      if (!parsed.success) {
        throw appError('INVALID_INPUT', `Invalid input: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
      }
      events = await openPostWatch(ctx, ctx.session, parsed.data, { signal: c.req.raw.signal, expiresAt: ctx.tokenExpiresAt?.() ?? undefined });
    } catch (error) {
      const mapped = asDatabaseUnavailable(error);
      if (mapped instanceof AppError) return errorResponse(c, mapped);
      throw error;
    }
    return streamSSE(c, async (stream) => {
      const heartbeat = setInterval(() => void stream.write(': ping\n\n'), LIVE_HEARTBEAT_MS);
      stream.onAbort(() => void events.return());
      try {
        await stream.write(`retry: ${RECONNECT_MS}\n\n`);
        for await (const event of events) await stream.writeSSE({ id: eventIdOf(event), event: 'post', data: JSON.stringify(event) });
        // Without it an EventSource would reconnect for ever to a post that has nothing more to say.
        await stream.writeSSE({ event: 'end', data: '{}' });
      } catch (error) {
        const mapped = asDatabaseUnavailable(error);
        const failure = mapped instanceof AppError ? mapped : appError('INTERNAL', 'Something went wrong on our side.');
        await stream.writeSSE({ event: 'error', data: JSON.stringify({ error: errorBody(failure, c.get('requestId')).error }) });
      } finally {
        clearInterval(heartbeat);
      }
    });
  };
}
