import { context, type Link, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { instruments, tracer } from './instruments.js';

/**
 * A job's payload carries the trace context of the code that enqueued it (W3C `traceparent`), under this key, so
 * the job's span links back to the request that scheduled it. Absent when tracing is off: nothing is added.
 */
export const TRACE_CONTEXT_FIELD = '_trace';

/** The payload to store: the checked one, plus the current trace context when there is one to carry. */
export function withTraceContext(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return payload;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length === 0 ? payload : { ...payload, [TRACE_CONTEXT_FIELD]: carrier };
}

/** Splits a stored payload into the job's own fields and the link to whoever enqueued it. */
export function takeTraceContext(raw: unknown): { payload: unknown; links: Link[] } {
  if (typeof raw !== 'object' || raw === null || !(TRACE_CONTEXT_FIELD in raw)) return { payload: raw, links: [] };
  const { [TRACE_CONTEXT_FIELD]: carrier, ...payload } = raw as Record<string, unknown>;
  const spanContext = trace.getSpanContext(propagation.extract(context.active(), carrier ?? {}));
  return { payload, links: spanContext ? [{ context: spanContext }] : [] };
}

/**
 * Runs one job as a trace of its own (a consumer span named after the job, linked to the enqueuing request) and
 * records its duration by job name and outcome.
 */
export async function runJobObserved(name: string, links: Link[], run: () => Promise<void>): Promise<void> {
  const started = performance.now();
  let outcome = 'success';
  try {
    await tracer.startActiveSpan(
      `job ${name}`,
      {
        kind: SpanKind.CONSUMER,
        root: true,
        links,
        attributes: { 'messaging.system': 'graphile_worker', 'messaging.operation.type': 'process', 'messaging.destination.name': name },
      },
      async (span) => {
        try {
          await run();
        } catch (error) {
          // The error's kind only: messages may quote payloads, and nothing secret may reach a span.
          const type = errorTypeOf(error);
          span.setAttribute('error.type', type);
          span.setStatus({ code: SpanStatusCode.ERROR, message: type });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  } catch (error) {
    outcome = 'failure';
    throw error;
  } finally {
    instruments().jobDuration.record((performance.now() - started) / 1000, { job: name, outcome });
  }
}

/** A bounded name for what went wrong: our AppError's or TikTok's code, else the error class. */
export function errorTypeOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'unknown';
  const code = (error as { appCode?: unknown; code?: unknown }).appCode ?? (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Za-z][\w.]{0,63}$/.test(code)) return code;
  return error instanceof Error ? error.name : 'unknown';
}
