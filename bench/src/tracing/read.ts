import { context, SpanKind, trace } from '@opentelemetry/api';

export type Variant = 'untraced' | 'context' | 'unsampled' | 'recorded' | 'exported';

/** Each variant adds one part of tracing to the one before it, in the order the server pays for them. */
export const VARIANTS: readonly { name: Variant; adds: string }[] = [
  { name: 'untraced', adds: 'the read alone: no SDK, the API a no-op' },
  { name: 'context', adds: 'AsyncLocalStorage holding a context (its promise hooks before Node 24)' },
  { name: 'unsampled', adds: 'the SDK, every trace unsampled: three non-recording spans' },
  { name: 'recorded', adds: 'every trace sampled: three spans recorded and batched, the exporter dropping them' },
  { name: 'exported', adds: 'exported as OTLP/protobuf over HTTP to the collector stub' },
];

/** A detail read awaits about a hundred promises (docs/benchmarks.md); 25 awaited async steps make 102. */
const STEPS = 25;
/** The detail statement's text is ~1.5 KB, and most of a traced read's exported bytes. */
const STATEMENT = `select ${'t.column_name, '.repeat(110)}1 from instance_tasks t where t.id = $1`;

async function step(): Promise<void> {
  await Promise.resolve();
}

async function work(): Promise<void> {
  for (let i = 0; i < STEPS; i++) await step();
}

const tracer = trace.getTracer('@reelpost/bench');

/**
 * One detail read's tracing, as the server does it: the HTTP server span, the procedure's span inside it, the
 * statement's span inside that, with the attributes each carries (observability/http.ts, procedures.ts, and
 * @opentelemetry/instrumentation-pg's), around the read's awaited steps.
 */
export async function tracedRead(): Promise<void> {
  const serverSpan = { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.path': '/trpc/tasks.detail' } };
  await tracer.startActiveSpan('GET', serverSpan, async (server) => {
    const procedureSpan = { attributes: { 'rpc.system': 'trpc', 'rpc.method': 'tasks.detail' } };
    await tracer.startActiveSpan('tasks.detail', procedureSpan, async (procedure) => {
      const statement = tracer.startSpan('pg.query:detail', {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'postgresql',
          'db.namespace': 'reelpost',
          'db.query.text': STATEMENT,
          'server.address': '127.0.0.1',
          'server.port': 5432,
        },
      });
      await work();
      statement.end();
      procedure.end();
    });
    server.updateName('GET /trpc/tasks.detail');
    server.setAttributes({ 'http.route': '/trpc/tasks.detail', 'http.response.status_code': 200 });
    server.end();
  });
}

/** The read with a context active and no spans: what AsyncLocalStorage alone costs. */
export function readInContext(): Promise<void> {
  return context.with(context.active().setValue(Symbol.for('reelpost.bench'), 1), work);
}

export const untracedRead = work;
