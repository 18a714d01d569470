import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { startTelemetry } from '../observability/telemetry.js';

// Telemetry starts before anything imports pg (the pg instrumentation patches it on first load).
const exporter = new InMemorySpanExporter();
const telemetry = startTelemetry({ config: loadConfig({}), role: 'server', spanExporter: exporter });
afterAll(() => telemetry.shutdown());
const { createDatabase } = await import('@reelpost/db');
const { useTestDatabase } = await import('@reelpost/db/testing');
const { createRateLimits } = await import('./rate-limits.js');
const { AHEAD_COUNT_DELAY_MS } = await import('./shared-counter.js');

const database = useTestDatabase();

async function countedInPostgres(ip: string): Promise<number> {
  const { rows } = await database().pool.query<{ points: number }>('SELECT points FROM request_rate_limits WHERE key LIKE $1', [`%:${ip}`]);
  return rows.reduce((sum, row) => sum + row.points, 0);
}

describe('the request rate limits, traced', () => {
  it('count outside every request’s trace, even when the request that frees a connection runs their queued statement', async () => {
    // One connection, so the limiter's count has to queue behind the request holding it.
    const handle = createDatabase({ url: database().url, max: 1 });
    try {
      const limits = createRateLimits(handle.pool, loadConfig({}));
      await trace.getTracer('test').startActiveSpan('request', async (request) => {
        const connection = await handle.pool.connect();
        // Answered at once; the count follows AHEAD_COUNT_DELAY_MS later and waits for the connection.
        expect(await limits.consumeByIp('reads', '203.0.113.7')).toBeNull();
        await sleep(AHEAD_COUNT_DELAY_MS + 100);
        await connection.query('SELECT 1 AS in_the_request');
        // pg-pool hands the freed connection to the queued count from inside this request's context.
        connection.release();
        request.end();
      });
      // Read outside the request (an untraced statement), once the count has landed.
      for (let i = 0; i < 50 && (await countedInPostgres('203.0.113.7')) === 0; i++) await sleep(20);
      expect(await countedInPostgres('203.0.113.7')).toBe(1);
    } finally {
      await handle.close();
    }

    const spans = exporter.getFinishedSpans();
    const [request] = spans.filter((span) => span.name === 'request');
    const statements = spans.filter((span) => span.parentSpanContext?.spanId === request!.spanContext().spanId);
    // The request's own statement is traced (pg is instrumented here), the limiter's nowhere.
    expect(statements.map((span) => span.attributes['db.query.text'])).toEqual(['SELECT 1 AS in_the_request']);
    expect(spans.filter((span) => String(span.attributes['db.query.text'] ?? '').includes('request_rate_limits'))).toEqual([]);
  });

  it('sends its statements unnamed when DATABASE_PREPARED_STATEMENTS=false (a pooler in transaction mode cannot carry named ones)', async () => {
    // One connection, so the statements prepared on it are the limiter's.
    const handle = createDatabase({ url: database().url, max: 1 });
    try {
      for (const [setting, ip] of [['false', '203.0.113.8'], ['true', '203.0.113.9']] as const) {
        const limits = createRateLimits(handle.pool, loadConfig({ DATABASE_PREPARED_STATEMENTS: setting }));
        expect(await limits.consumeByIp('reads', ip)).toBeNull();
        for (let i = 0; i < 50 && (await countedInPostgres(ip)) === 0; i++) await sleep(20);
        expect(await countedInPostgres(ip)).toBe(1);
        const { rows } = await handle.pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements');
        expect(rows.map((row) => row.name)).toEqual(setting === 'false' ? [] : ['request_rate_limits:rlflx-upsert']);
      }
    } finally {
      await handle.close();
    }
  });
});
