import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app.js';

/**
 * tRPC runs every procedure named in a batch (`/trpc/a,b,c?batch=1`) for one HTTP request: uncapped, one request was
 * 950 queries and a 1 MB answer (issue 17, finding 2). More than `maxItems` calls in one request is refused before any
 * runs, 400 BATCH_TOO_LARGE in tRPC's error shape; `@reelpost/client` splits its batches at the same size.
 */
export function capTrpcBatches(maxItems: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = c.req.path.slice('/trpc/'.length);
    // Commas separate the procedures of a batch (percent-encoded or not); one call has none.
    const items = path.split(/,|%2c/i).length;
    if (items <= maxItems) return next();
    const message = `A batch may hold at most ${maxItems} calls; this one holds ${items}.`;
    return c.json(
      {
        error: {
          json: {
            message,
            code: -32600,
            data: {
              code: 'BAD_REQUEST',
              httpStatus: 400,
              path: null,
              appCode: 'BATCH_TOO_LARGE',
              hint: `Send at most ${maxItems} calls per request (@reelpost/client splits batches itself).`,
              requestId: c.get('requestId'),
            },
          },
        },
      },
      400,
    );
  };
}
