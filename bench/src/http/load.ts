import autocannon from 'autocannon';

// One measurement: autocannon holding `connections` requests in flight against a server for a while, each request
// built fresh (a different task, its owner's token) so the database is not answering for one hot row.

export interface RequestSpec {
  path: string;
  headers: Record<string, string>;
}

export interface LoadResult {
  connections: number;
  seconds: number;
  requests: number;
  /** Non-2xx answers and socket errors; a run with any is not a valid measurement. */
  failures: number;
  perSecond: number;
  /** Each slice's own rate, in the order measured: rows taken in turns are compared slice by slice too. */
  slicesPerSecond: number[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** One stretch of load, as it came: every answered request's latency, and what failed. */
export interface LoadSlice {
  latencies: number[];
  failures: number;
  seconds: number;
}

export async function loadSlice(options: { url: string; connections: number; seconds: number; next: () => RequestSpec }): Promise<LoadSlice> {
  // autocannon's own histogram keeps whole milliseconds; sub-millisecond latencies are kept here instead.
  const latencies: number[] = [];
  let failures = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.seconds,
        requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, ...options.next() }) }],
      },
      (error: unknown, done) => (error ? reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error })) : resolve(done)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      else failures++;
    });
  });
  return { latencies, failures: failures + result.errors + result.timeouts, seconds: result.duration };
}

/** Slices of load against one target, summed: their requests over their seconds, percentiles over all latencies. */
export function summariseSlices(connections: number, slices: readonly LoadSlice[]): LoadResult {
  const latencies = slices.flatMap((slice) => slice.latencies).sort((a, b) => a - b);
  const seconds = slices.reduce((sum, slice) => sum + slice.seconds, 0);
  return {
    connections,
    seconds,
    requests: latencies.length,
    failures: slices.reduce((sum, slice) => sum + slice.failures, 0),
    perSecond: latencies.length / seconds,
    slicesPerSecond: slices.map((slice) => slice.latencies.length / slice.seconds),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? Number.NaN,
  };
}

export async function runLoad(options: { url: string; connections: number; seconds: number; next: () => RequestSpec }): Promise<LoadResult> {
  return summariseSlices(options.connections, [await loadSlice(options)]);
}
