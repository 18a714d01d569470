import { SpanStatusCode } from '@opentelemetry/api';
import { TRPCError } from '@trpc/server';
import { appCodeOf } from '../errors.js';
import { instruments, tracer } from './instruments.js';

/**
 * One span per procedure call, named by its path (`tiktok.post`), inside the HTTP request's span; and
 * `rpc.server.call.duration` by procedure and outcome. The procedure set is closed, so the label is bounded. The
 * input is never recorded (titles, captions, ids belong to the caller).
 */
export async function observeProcedure<R extends { ok: boolean; error?: unknown }>(path: string, next: () => Promise<R>): Promise<R> {
  const started = performance.now();
  return tracer.startActiveSpan(path, { attributes: { 'rpc.system': 'trpc', 'rpc.method': path } }, async (span) => {
    let errorType: string | undefined;
    try {
      const result = await next();
      if (!result.ok) errorType = appCodeOf(result.error as Parameters<typeof appCodeOf>[0]);
      return result;
    } catch (error) {
      // What a guard throws before the procedure runs (sign-in, rate limit) carries its code; anything else is ours.
      errorType = error instanceof TRPCError ? appCodeOf(error) : 'INTERNAL';
      throw error;
    } finally {
      if (errorType !== undefined) {
        span.setAttribute('error.type', errorType);
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
      }
      span.end();
      instruments().rpcDuration.record((performance.now() - started) / 1000, {
        'rpc.system': 'trpc',
        'rpc.method': path,
        ...(errorType !== undefined && { 'error.type': errorType }),
      });
    }
  });
}
