import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './app.js';
import { clientAddress } from './limits/rate-limits.js';
import { type Logger, loggableUrl } from './logger.js';
import { applySecureHeaders } from './secure-headers.js';

export interface RequestScopeOptions {
  logger: Logger;
  /** Proxies of our own in front of this server (TRUST_PROXY_HOPS): where the client's address is read. */
  trustProxyHops: number;
}

/** A caller's X-Request-Id is kept when it is a plausible id (as Hono's requestId() decides), else one is made. */
const MAX_REQUEST_ID_LENGTH = 255;
const NOT_AN_ID = /[^\w\-=]/;

function socketAddress(c: Context<AppEnv>): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    // app.request() in tests: no socket.
    return null;
  }
}

/**
 * What every request gets, in one middleware rather than four (each a level of Hono's chain, and a promise, on every
 * read): its id (X-Request-Id, echoed), the client's address, the request's log line, and the security headers.
 */
export function requestScope({ logger, trustProxyHops }: RequestScopeOptions): MiddlewareHandler<AppEnv> {
  // The request line's fields are fixed and none can hold a secret (the URL's secret-bearing parameters are masked by
  // loggableUrl), so it skips redaction: walking the redact paths over every request's line cost more than writing it.
  const requestLog = logger.child({}, { redact: [] });
  return async (c, next) => {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const requestId = !given || given.length > MAX_REQUEST_ID_LENGTH || NOT_AN_ID.test(given) ? crypto.randomUUID() : given;
    c.set('requestId', requestId);
    c.header('X-Request-Id', requestId);
    c.set('clientIp', clientAddress(socketAddress(c), c.req.header('x-forwarded-for') ?? null, trustProxyHops));
    await next();
    requestLog.info({
      msg: 'request',
      requestId,
      method: c.req.method,
      url: loggableUrl(c.req.url),
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
    applySecureHeaders(c.res);
  };
}
