import { type Meter, type MeterProvider, metrics, trace, type Tracer, ValueType } from '@opentelemetry/api';

/**
 * The API package's own spans and metrics, through OpenTelemetry's API only. The API is a no-op until the server
 * registers an SDK (apps/server/src/observability), which is how instrumented libraries are meant to work: the
 * package depends on nothing but `@opentelemetry/api`, and nothing here costs more than a function call when no
 * SDK is registered. Label values are bounded (statuses, codes, job names — never ids, titles or tokens).
 */
export const SCOPE = '@reelpost/api';

export const tracer: Tracer = trace.getTracer(SCOPE);

/** Buckets in seconds for things that take minutes (request → PUBLISHED). */
const PUBLISH_BUCKETS_S = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1_800, 3_600, 7_200];
/** Buckets in seconds for a job or an HTTP call. */
const SHORT_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

function createInstruments(meter: Meter) {
  return {
    postsFinished: meter.createCounter('reelpost.posts.finished', {
      description: 'Posts that reached a final (or settled) status, by status and error code',
      valueType: ValueType.INT,
    }),
    publishDuration: meter.createHistogram('reelpost.post.publish.duration', {
      description: 'Time from a post being requested (or falling due, when scheduled) to PUBLISHED',
      unit: 's',
      advice: { explicitBucketBoundaries: PUBLISH_BUCKETS_S },
    }),
    tokenRefreshes: meter.createCounter('reelpost.tiktok.token.refreshes', {
      description: 'TikTok access-token refreshes by outcome (success, needs_reauth, or the TikTok error code)',
      valueType: ValueType.INT,
    }),
    webhookDeliveries: meter.createCounter('reelpost.tiktok.webhook.deliveries', {
      description: 'TikTok webhook deliveries: accepted (applied, duplicate, unmatched, ignored) or refused (why)',
      valueType: ValueType.INT,
    }),
    jobDuration: meter.createHistogram('reelpost.job.duration', {
      description: 'Background job run time, by job name and outcome',
      unit: 's',
      advice: { explicitBucketBoundaries: SHORT_BUCKETS_S },
    }),
    rpcDuration: meter.createHistogram('rpc.server.call.duration', {
      description: 'tRPC procedure calls (over /trpc and /api/v1 alike), by procedure and error type',
      unit: 's',
      advice: { explicitBucketBoundaries: SHORT_BUCKETS_S },
    }),
    tiktokRequests: meter.createCounter('reelpost.tiktok.requests', {
      description: 'TikTok API responses per attempt, by endpoint, TikTok error.code (ok on success) and HTTP status',
      valueType: ValueType.INT,
    }),
    tiktokRequestDuration: meter.createHistogram('reelpost.tiktok.request.duration', {
      description: 'One TikTok API attempt, request to response, by endpoint',
      unit: 's',
      advice: { explicitBucketBoundaries: SHORT_BUCKETS_S },
    }),
    tiktokRetries: meter.createCounter('reelpost.tiktok.retries', {
      description: 'TikTok API attempts repeated after a retryable failure, by endpoint and error code',
      valueType: ValueType.INT,
    }),
    tiktokRateLimited: meter.createCounter('reelpost.tiktok.rate_limited', {
      description: 'TikTok answers of HTTP 429 / rate_limit_exceeded, by endpoint',
      valueType: ValueType.INT,
    }),
  };
}

export type Instruments = ReturnType<typeof createInstruments>;

// Metrics have no proxy provider in the API: a meter taken before the SDK registers stays a no-op for good. The
// instruments are therefore built from whichever provider is registered when first used, and again if it changes.
let cached: { provider: MeterProvider; instruments: Instruments } | undefined;

export function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (cached?.provider !== provider) cached = { provider, instruments: createInstruments(provider.getMeter(SCOPE)) };
  return cached.instruments;
}
