import { type AppRouter, appRouter, type Context as ApiContext } from '@reelpost/api';
import { type Database, isDatabaseUnavailable } from '@reelpost/db';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Kysely } from 'kysely';
import type { Logger } from './logger.js';
import { buildOpenApiDocument } from './openapi.js';
import { restErrorResponse } from './rest-errors.js';
import { createRestHandler } from './rest-handler.js';
import { capTrpcBatches } from './limits/batch-cap.js';
import { POST_EVENTS_PATH, postEventsRoute } from './routes/post-events.js';
import { requestScope } from './request-scope.js';
import { createTrpcQueryHandler } from './trpc-queries.js';
import { readinessHandler } from './routes/readiness.js';

export interface ContextRequest {
  req: Request;
  requestId: string;
  /** The client's address (per-address rate limits); null in-process. */
  clientIp: string | null;
  /**
   * tRPC's connection params (httpSubscriptionLink): a browser's EventSource cannot send headers, so a live status
   * stream carries its token here (`{ token }`) instead of in `Authorization`.
   */
  connectionParams?: Record<string, string | undefined> | null;
}

export interface AppOptions {
  db: Kysely<Database>;
  logger: Logger;
  createContext: (request: ContextRequest) => Promise<ApiContext>;
  /** Where clients reach this server, for the OpenAPI document's server URL. */
  publicUrl: string;
  router?: AppRouter;
  /** Feature routes mounted beside the API (OAuth callback, webhooks, demo helpers). */
  routes?: (app: Hono<AppEnv>) => void;
  /** Runs first on every request: its span and HTTP metrics (observability/http.ts). */
  observe?: MiddlewareHandler | undefined;
  /** The most calls one tRPC batch may name (MAX_BATCH_ITEMS). */
  maxBatchItems?: number;
  /** Proxies of our own in front of this server (TRUST_PROXY_HOPS): where the client's address is read. */
  trustProxyHops?: number;
}

/** MAX_BATCH_ITEMS' default, and @reelpost/client's batch size. */
export const DEFAULT_MAX_BATCH_ITEMS = 20;

export type AppEnv = { Variables: { requestId: string; clientIp: string | null } };

const MAX_BODY_BYTES = 1024 * 1024;

/** A rate-limited call's Retry-After (whole seconds), from the first refusal of the batch that carries one. */
function retryAfterHeader(errors: readonly { cause?: unknown }[]): Record<string, string> {
  const retryAfterMs = errors
    .map((error) => (error.cause as { extra?: { retryAfterMs?: number } } | undefined)?.extra?.retryAfterMs)
    .find((value) => value !== undefined);
  return retryAfterMs === undefined ? {} : { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) };
}

export function createApp(options: AppOptions): Hono<AppEnv> {
  const router = options.router ?? appRouter;
  const { logger } = options;
  const app = new Hono<AppEnv>();

  if (options.observe) app.use(options.observe);
  app.use(requestScope({ logger, trustProxyHops: options.trustProxyHops ?? 0 }));
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) =>
      c.json({ error: { code: 'PAYLOAD_TOO_LARGE', message: `Request bodies are limited to ${MAX_BODY_BYTES} bytes.` } }, 413),
  });
  // Only requests that may carry a body: asking a GET for its body makes the node adapter build a full fetch Request,
  // the costliest step of a read.
  app.use((c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)));

  const onError = ({ error, path }: { error: { code: string; message: string; cause?: unknown }; path?: string | undefined }) => {
    // Expected errors are the caller's to read; only our own failures are worth an error line.
    if (error.code === 'INTERNAL_SERVER_ERROR') logger.error({ msg: 'procedure failed', path, err: error.cause ?? error });
  };

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', readinessHandler(options.db));

  app.use('/trpc/*', capTrpcBatches(options.maxBatchItems ?? DEFAULT_MAX_BATCH_ITEMS));
  const queries = createTrpcQueryHandler({ router, createContext: options.createContext, onError, errorHeaders: retryAfterHeader });
  app.all('/trpc/*', (c) =>
    queries(c) ??
    fetchRequestHandler({
      endpoint: '/trpc',
      req: c.req.raw,
      router,
      createContext: ({ info }) =>
        options.createContext({ req: c.req.raw, requestId: c.get('requestId'), clientIp: c.get('clientIp'), connectionParams: info.connectionParams }),
      onError,
      responseMeta: ({ errors }) => ({ headers: retryAfterHeader(errors) }),
    }),
  );

  const openApiDocument = buildOpenApiDocument(router, options.publicUrl);
  const rest = createRestHandler({ router, endpoint: '/api/v1', createContext: options.createContext, onError });
  app.get('/api/v1/openapi.json', (c) => c.json(openApiDocument));
  // An event stream, which trpc-to-openapi cannot serve: its own route, ahead of the REST surface.
  app.get(POST_EVENTS_PATH, postEventsRoute(options.createContext));
  app.all('/api/v1/*', async (c) => {
    // trpc-to-openapi gathers query parameters into a plain object: a name Object.prototype already has (__proto__,
    // constructor, toString…) makes it throw, a 500. No procedure takes such a parameter; refuse it as bad input.
    const reserved = [...new URL(c.req.url).searchParams.keys()].find((name) => name in Object.prototype);
    if (reserved !== undefined) {
      return c.json(
        { error: { code: 'INVALID_INPUT', message: `The query parameter "${reserved}" is not accepted.`, requestId: c.get('requestId') } },
        400,
      );
    }
    const response = await rest(c.req.raw, { requestId: c.get('requestId'), clientIp: c.get('clientIp') });
    return response.ok ? response : restErrorResponse(response, c.get('requestId'));
  });

  options.routes?.(app);

  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `No route for ${c.req.method} ${new URL(c.req.url).pathname}.` } }, 404));
  app.onError((error, c) => {
    // The routes outside tRPC (webhooks, sign-in helpers) say the same as the procedures when the database is away:
    // 503, try again — which is also what makes TikTok redeliver a webhook later.
    if (isDatabaseUnavailable(error)) {
      logger.warn({ msg: 'database unavailable', requestId: c.get('requestId'), err: error });
      return c.json(
        {
          error: {
            code: 'DATABASE_UNAVAILABLE',
            message: 'Reelpost’s database cannot be reached right now.',
            hint: 'Try again in a few seconds.',
            requestId: c.get('requestId'),
          },
        },
        503,
      );
    }
    logger.error({ msg: 'unhandled error', requestId: c.get('requestId'), err: error });
    return c.json(
      { error: { code: 'INTERNAL', message: 'Something went wrong on our side.', requestId: c.get('requestId') } },
      500,
    );
  });
  return app;
}
