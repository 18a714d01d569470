// One variant of `pnpm bench:tracing` in a process of its own:
//   node --import tsx run-variant.ts VARIANT READS COLLECTOR_URL
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { readInContext, tracedRead, untracedRead, type Variant } from './read.js';

const [variant, reads, collectorUrl] = process.argv.slice(2) as [Variant, string, string];
const CONCURRENCY = 16;

/** An exporter that drops what it is given, answering later as a real one does: spans are batched, never sent. */
const DROPPING: SpanExporter = { export: (_spans, done) => setImmediate(() => done({ code: 0 })), shutdown: async () => {} };

function setUp(): () => Promise<void> {
  if (variant === 'untraced') return untracedRead;
  if (variant === 'context') {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    return readInContext;
  }
  const exporter = variant === 'exported' ? new OTLPTraceExporter({ url: `${collectorUrl}/v1/traces` }) : DROPPING;
  new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'reelpost-bench' }),
    sampler: variant === 'unsampled' ? new AlwaysOffSampler() : new AlwaysOnSampler(),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  }).register();
  return tracedRead;
}

/**
 * BENCH_HEAP_MB: long-lived small objects beside the reads, as a server holds (caches, pools, modules). Young
 * collections take longer beside them, and a recorded span, held until its batch leaves, is what they copy.
 */
const heap: object[] = [];
for (let i = 0; i < Number(process.env.BENCH_HEAP_MB ?? 0) * 10_000; i++) heap.push({ i, text: `x${i}`, list: [i] });
const read = setUp();
async function readMany(count: number): Promise<void> {
  let started = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (started++ < count) await read();
  }));
}

await readMany(Number(reads) / 4); // warm-up: the JIT settles, batches start leaving
const before = process.cpuUsage();
await readMany(Number(reads));
const used = process.cpuUsage(before);
console.log(`cpu_us_per_read=${((used.user + used.system) / Number(reads)).toFixed(3)}`);
process.exit(0);
