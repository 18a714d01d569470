import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { startTelemetry } from './telemetry.js';
import { createLogger } from '../logger.js';
import { trace } from '@opentelemetry/api';

// Telemetry starts before anything imports pg (the pg instrumentation patches it on first load), so the server and
// its helpers are imported afterwards.
const exporter = new InMemorySpanExporter();
const telemetry = startTelemetry({ config: loadConfig({}), role: 'server', spanExporter: exporter });
const { bearer, useRuntime } = await import('../../test/runtime.js');
const { DEMO_IDS } = await import('../demo/seed.js');

const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789';
const runtime = useRuntime({ WORKER: 'on', POSTING_POLL_INITIAL_MS: '200', METRICS_TOKEN }, { telemetry });
afterAll(() => telemetry.shutdown());

const TITLE = 'Traced title #observability';

async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('gave up waiting');
}

const spans = () => exporter.getFinishedSpans();
const named = (name: string | RegExp) => spans().filter((span) => (typeof name === 'string' ? span.name === name : name.test(span.name)));
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** Every ancestor of a span in its trace, nearest first. */
function ancestors(span: ReadableSpan): ReadableSpan[] {
  const byId = new Map(spans().map((each) => [each.spanContext().spanId, each]));
  const chain: ReadableSpan[] = [];
  for (let parent = byId.get(parentOf(span) ?? ''); parent; parent = byId.get(parentOf(parent) ?? '')) chain.push(parent);
  return chain;
}

/** Every string an exporter would send for a span: name, attributes, events, status, links, resource. */
function exportedStrings(span: ReadableSpan): string[] {
  const values = [
    span.name,
    span.status.message ?? '',
    ...Object.values(span.attributes),
    ...span.events.flatMap((event) => [event.name, ...Object.values(event.attributes ?? {})]),
    ...span.links.flatMap((link) => Object.values(link.attributes ?? {})),
    ...Object.values(span.resource.attributes),
  ];
  return values.flat().map(String);
}

describe('a post in demo mode, traced', () => {
  it('is one trace from the HTTP request through tiktok.post, its SQL and video.init; the status job links back to it; no secret in any attribute', async () => {
    const { app, demo, deps } = runtime();
    const response = await app.request(`/api/v1/tasks/${DEMO_IDS.videoTask}/post-to-tiktok`, {
      method: 'POST',
      headers: { ...bearer(demo!.token), 'content-type': 'application/json', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      body: JSON.stringify({ title: TITLE, privacyLevel: 'SELF_ONLY' }),
    });
    expect(response.status).toBe(200);
    await until(() => deps.db.selectFrom('tiktok_posts').select('status').where('task_id', '=', DEMO_IDS.videoTask).executeTakeFirstOrThrow(), (post) => post.status === 'PUBLISHED');
    // Both must have arrived: two status jobs can finish before TikTok's first webhook does.
    await until(() => ({ jobs: named('job post:check-status').length, webhooks: named('POST /webhooks/tiktok').length }), ({ jobs, webhooks }) => jobs > 0 && webhooks > 0);

    // HTTP → tiktok.post → SQL and video.init, in the trace the caller started (its traceparent is continued).
    const [request] = named('POST /api/v1/tasks/{taskId}/post-to-tiktok');
    expect(request).toBeDefined();
    expect(request!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(request!.attributes).toMatchObject({ 'http.route': '/api/v1/tasks/{taskId}/post-to-tiktok', 'http.response.status_code': 200 });
    const [procedure] = named('tiktok.post');
    expect(parentOf(procedure!)).toBe(request!.spanContext().spanId);
    const inRequest = (span: ReadableSpan) => ancestors(span).includes(procedure!);
    const sql = spans().filter((span) => span.attributes['db.system.name'] === 'postgresql' && inRequest(span));
    expect(sql.length).toBeGreaterThan(3);
    const [init] = named('tiktok video.init').filter(inRequest);
    expect(init!.attributes).toMatchObject({ 'tiktok.endpoint': 'video.init', 'tiktok.error.code': 'ok', 'http.response.status_code': 200 });
    expect(init!.attributes['tiktok.log_id']).toEqual(expect.any(String));
    // The fetch itself (undici instrumentation) runs inside the TikTok call's span.
    expect(spans().some((span) => parentOf(span) === init!.spanContext().spanId && span.attributes['http.request.method'] === 'POST')).toBe(true);

    // The status job: a trace of its own, linked to the request that scheduled it, asking TikTok status.fetch.
    const job = named('job post:check-status').find((span) => span.links.some((link) => link.context.spanId === procedure!.spanContext().spanId));
    expect(job).toBeDefined();
    expect(job!.links[0]!.context.traceId).toBe(request!.spanContext().traceId);
    expect(named('tiktok status.fetch').some((span) => span.spanContext().traceId === job!.spanContext().traceId)).toBe(true);
    // TikTok's webhook arrives as a request of its own, and its SQL is traced under it.
    const [webhook] = named('POST /webhooks/tiktok');
    expect(spans().some((span) => span.attributes['db.system.name'] === 'postgresql' && ancestors(span).includes(webhook!))).toBe(true);

    // Nothing secret, nothing the person wrote, no URL query, in anything exported.
    const account = await deps.db.selectFrom('instance_tiktok_credentials').select(['access_token_encrypted', 'refresh_token_encrypted']).execute();
    const secrets = [
      demo!.token,
      demo!.token.split('.')[2]!,
      TITLE,
      ...account.flatMap((row) => [row.access_token_encrypted, row.refresh_token_encrypted].filter((value) => value !== null).map((sealed) => deps.tokens.decrypt(sealed))),
    ];
    for (const span of spans()) {
      for (const value of exportedStrings(span)) {
        for (const secret of secrets) expect(value, `${span.name} carries a secret`).not.toContain(secret);
        if (/^https?:\/\//.test(value)) expect(value, `${span.name} carries a URL query`).not.toMatch(/[?#]/);
      }
    }
  });
});

describe('/metrics of a traced process', () => {
  it('declares every metric once, as without tracing (the instrumentations add no pool counters of their own)', async () => {
    const { app, demo } = runtime();
    await app.request('/api/v1/tasks', { headers: bearer(demo!.token) });
    const response = await app.request('/metrics', { headers: bearer(METRICS_TOKEN) });
    const declared = (await response.text()).split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(declared.length).toBeGreaterThan(0);
    expect(declared.filter((line, index) => declared.indexOf(line) !== index)).toEqual([]);
  });
});

describe('log lines', () => {
  it('carry the trace_id and span_id of the span they are written in, and none outside one', () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    const ids = trace.getTracer('test').startActiveSpan('logged', (span) => {
      logger.info({ msg: 'inside' });
      span.end();
      return span.spanContext();
    });
    logger.info({ msg: 'outside' });
    const [inside, outside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toMatchObject({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId });
    expect(outside).not.toHaveProperty('trace_id');
  });
});
