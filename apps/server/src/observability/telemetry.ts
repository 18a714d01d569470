import { createNoopMeter, metrics, type Meter } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Config } from '../config.js';
import { ScrubbingSpanProcessor } from './scrub.js';

/**
 * The instrumentations' own metrics are left out: pg's pool counters share their names with the pool gauges that
 * /metrics always has (db.client.connection.count, …), so a traced process served each of them twice (a second
 * `# TYPE` line, which Prometheus refuses), and /metrics would otherwise change with tracing. Left out too, they
 * cost nothing per statement: pg recorded a histogram point and two pool counters for every query.
 */
const NO_METRICS = { getMeter: () => createNoopMeter() };

type OtlpConfig = Pick<
  Config,
  'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_EXPORTER_OTLP_PROTOCOL' | 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
>;

/**
 * The OTLP/HTTP exporter the standard variables ask for, or none without an endpoint. Protobuf unless told otherwise,
 * as the OTLP specification has it: 38 % fewer bytes than JSON for our spans and, with the SDK's string encoding
 * patched (patches/README.md), a third less CPU to serialise (docs/benchmarks.md, "Tracing's cost").
 */
export function otlpTraceExporterOf(config: OtlpConfig): SpanExporter | undefined {
  const url =
    config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (config.OTEL_EXPORTER_OTLP_ENDPOINT ? `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (!url) return undefined;
  const protocol = config.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? config.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  return protocol === 'http/json' ? new OTLPJsonTraceExporter({ url }) : new OTLPProtobufTraceExporter({ url });
}

/**
 * The sampler `OTEL_TRACES_SAMPLER` names, as OpenTelemetry's SDK configuration specifies it (`parentbased_*`: a
 * request that arrives with a `traceparent` keeps its caller's decision; the rest decide each new trace). A ratio of
 * 1 or 0 is kept or dropped outright, as the specification means it, without hashing every trace id to learn so.
 */
export function samplerOf(config: Pick<Config, 'OTEL_TRACES_SAMPLER' | 'OTEL_TRACES_SAMPLER_ARG'>): Sampler {
  const name = config.OTEL_TRACES_SAMPLER;
  const ratio = name.endsWith('traceidratio') ? config.OTEL_TRACES_SAMPLER_ARG : undefined;
  const keepsAll = name.endsWith('always_on') || ratio === 1;
  const keepsNone = name.endsWith('always_off') || ratio === 0;
  const root = keepsAll ? new AlwaysOnSampler() : keepsNone ? new AlwaysOffSampler() : new TraceIdRatioBasedSampler(ratio);
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

export interface TelemetryOptions {
  config: OtlpConfig & Pick<Config, 'OTEL_SERVICE_NAME' | 'OTEL_TRACES_SAMPLER' | 'OTEL_TRACES_SAMPLER_ARG'>;
  role: 'server' | 'worker';
  /** Tests: spans go here, synchronously, instead of to a collector. */
  spanExporter?: SpanExporter;
}

export interface Telemetry {
  /** Whether spans are recorded and exported (a collector is configured). */
  tracing: boolean;
  meter: Meter;
  /** The Prometheus text exposition of every metric, read at scrape time. */
  scrape: () => Promise<string>;
  /** Flushes spans still buffered and stops the providers. */
  shutdown: () => Promise<void>;
}

/**
 * OpenTelemetry for one process. Metrics are always kept (in memory, read by `GET /metrics`, a few counter
 * increments per request). Tracing is on only when a collector is configured (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `..._TRACES_ENDPOINT`, the standard variables): then the SDK is registered and the fetch (undici) and pg
 * instrumentations are enabled. Off, the API stays the no-op it is by default: no span objects, no context
 * propagation, no instrumentation patches.
 *
 * Call it before anything loads `pg`: the pg instrumentation patches the module as it is first required.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const { config } = options;
  const resource = resourceFromAttributes({ 'service.name': config.OTEL_SERVICE_NAME, 'service.namespace': 'reelpost', 'reelpost.role': options.role });

  // The exporter is used only as a pull reader: it never starts its own HTTP server; /metrics serialises it.
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
  metrics.setGlobalMeterProvider(meterProvider);
  const serializer = new PrometheusSerializer();

  const exporter = options.spanExporter ?? otlpTraceExporterOf(config);
  let tracerProvider: NodeTracerProvider | undefined;
  let disableInstrumentations = () => {};
  if (exporter) {
    // Tests read spans as they end; a collector gets them batched, off the request path.
    const processor = options.spanExporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
    tracerProvider = new NodeTracerProvider({
      resource,
      sampler: samplerOf(config),
      spanProcessors: [new ScrubbingSpanProcessor(processor)],
    });
    // Global tracer provider, AsyncLocalStorage context and the W3C trace-context propagator.
    tracerProvider.register();
    disableInstrumentations = registerInstrumentations({
      tracerProvider,
      meterProvider: NO_METRICS,
      instrumentations: [
        // Outgoing fetch: TikTok, the emulator, video probes. URLs are scrubbed of their query by the processor.
        new UndiciInstrumentation(),
        // Statement text only (placeholders, never parameter values); a statement outside a request is not traced.
        // No span for taking a pooled connection: it is one per statement, doubling the spans of every request for
        // what the pool gauges already show (db_client_connection_pending_requests).
        new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true, ignoreConnectSpans: true }),
      ],
    });
  }

  return {
    tracing: tracerProvider !== undefined,
    meter: meterProvider.getMeter('@reelpost/server'),
    scrape: async () => {
      const { resourceMetrics } = await prometheus.collect();
      return serializer.serialize(resourceMetrics);
    },
    shutdown: async () => {
      disableInstrumentations();
      await tracerProvider?.shutdown();
      await meterProvider.shutdown();
    },
  };
}
