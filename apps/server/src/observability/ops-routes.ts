import { createHash, timingSafeEqual } from 'node:crypto';
import type { JobWorker } from '@reelpost/api';
import type { Database } from '@reelpost/db';
import { type Context, type Env, Hono } from 'hono';
import type { Kysely } from 'kysely';
import { readinessHandler } from '../routes/readiness.js';

export interface MetricsAccess {
  scrape: () => Promise<string>;
  /** When set, every scrape must send `Authorization: Bearer <token>`, on either port. */
  token: string | undefined;
}

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function authorized<E extends Env>(c: Context<E>, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = c.req.header('authorization') ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7) : '';
  // Compared as digests: equal lengths for timingSafeEqual, and no early exit on the first differing byte.
  return timingSafeEqual(digest(given), digest(token));
}

async function serveMetrics<E extends Env>(c: Context<E>, access: MetricsAccess): Promise<Response> {
  if (!authorized(c, access.token)) {
    c.header('www-authenticate', 'Bearer realm="metrics"');
    return c.json({ error: { code: 'UNAUTHORIZED', message: 'Metrics need `Authorization: Bearer <METRICS_TOKEN>`.' } }, 401);
  }
  return c.body(await access.scrape(), 200, { 'content-type': PROMETHEUS_TEXT, 'cache-control': 'no-store' });
}

/**
 * `GET /metrics` on the public port, only when METRICS_TOKEN is set (the token is its protection). Without a token
 * the public port has no /metrics; scrape the internal port (METRICS_PORT) instead.
 */
export function mountMetrics<E extends Env>(app: Hono<E>, access: MetricsAccess): void {
  if (access.token === undefined) return;
  app.get('/metrics', (c) => serveMetrics(c, access));
}

export interface OpsAppOptions extends MetricsAccess {
  db: Kysely<Database>;
  /** This process's job loop, when it runs one: its liveness is part of /healthz. */
  worker: JobWorker | undefined;
}

/**
 * The internal port's app (METRICS_PORT): /metrics for Prometheus, and for a process supervisor /healthz (the
 * process and its job loop are alive) and /readyz (Postgres answers, migrations applied). A worker has no other
 * HTTP port, so this is where its liveness is read.
 */
export function createOpsApp(options: OpsAppOptions): Hono {
  const app = new Hono();
  app.get('/metrics', (c) => serveMetrics(c, options));
  app.get('/healthz', (c) => {
    const loop = options.worker?.liveness();
    if (loop && !loop.alive) return c.json({ status: 'job_loop_stalled', jobLoop: loop }, 503);
    return c.json({ status: 'ok', ...(loop && { jobLoop: loop }) });
  });
  app.get('/readyz', readinessHandler(options.db));
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: 'The internal port serves /metrics, /healthz and /readyz.' } }, 404));
  return app;
}
