import { context, propagation, SpanKind, SpanStatusCode, trace, ValueType, type Meter, type TextMapGetter } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { RouteNamer } from './routes.js';

const tracer = trace.getTracer('@reelpost/server');

/** traceparent and tracestate read straight from the request's headers (no copy of all of them per request). */
const HEADERS_GETTER: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const HTTP_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * The server span of every request and `http.server.request.duration` by method, route template and status
 * (OpenTelemetry's HTTP semantic conventions). Written here rather than taken from @hono/otel or the http
 * instrumentation because both record the full URL, query included — tRPC inputs and OAuth codes travel there —
 * and the http instrumentation knows no route. The route is Hono's template (`/api/v1/tasks/:id/detail`), so the
 * labels stay bounded; the span also gets the path without its query.
 */
export function observeHttp(meter: Meter, tracing: boolean, nameRoute: RouteNamer = (_method, _path, route) => route): MiddlewareHandler {
  const duration = meter.createHistogram('http.server.request.duration', {
    description: 'Duration of HTTP server requests',
    unit: 's',
    valueType: ValueType.DOUBLE,
    advice: { explicitBucketBoundaries: HTTP_BUCKETS_S },
  });
  return async (c, next) => {
    const started = performance.now();
    const method = KNOWN_METHODS.has(c.req.method) ? c.req.method : '_OTHER';
    const path = c.req.path;
    const finish = (span: ReturnType<typeof trace.getActiveSpan>, failed: boolean) => {
      // After next(), Hono's route index points at the handler that answered; the last matched route would be the
      // page's catch-all (`/*`), which matches every path.
      const route = nameRoute(method, path, routePath(c));
      const status = failed ? 500 : c.res.status;
      duration.record((performance.now() - started) / 1000, {
        'http.request.method': method,
        'http.route': route,
        'http.response.status_code': status,
      });
      if (span) {
        span.updateName(`${method} ${route}`);
        span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
    };
    // Tracing off: no span objects at all, only the histogram.
    if (!tracing) {
      try {
        await next();
      } catch (error) {
        finish(undefined, true);
        throw error;
      }
      finish(undefined, false);
      return;
    }
    const parent = propagation.extract(context.active(), c.req.raw.headers, HEADERS_GETTER);
    await tracer.startActiveSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path } },
      parent,
      async (span) => {
        try {
          await next();
          finish(span, false);
        } catch (error) {
          finish(span, true);
          throw error;
        } finally {
          span.end();
        }
      },
    );
  };
}

