import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Database } from '@reelpost/db';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { startTelemetry } from './telemetry.js';

// Telemetry starts before anything imports pg (the pg instrumentation patches it on first load).
const exporter = new InMemorySpanExporter();
const telemetry = startTelemetry({ config: loadConfig({}), role: 'server', spanExporter: exporter });
afterAll(() => telemetry.shutdown());
const { createDatabase, prepareQuery } = await import('@reelpost/db');
const { useTestDatabase } = await import('@reelpost/db/testing');

const database = useTestDatabase();
const userIdBySub = prepareQuery<Database, { id: string }>((db, sub) => db.selectFrom('users').select('id').where('sub', '=', sub));

describe('a prepared read, traced', () => {
  it('is a statement of the request that asked for it, even when another request’s release hands it the connection', async () => {
    // One connection, held by the first request, so the second one's read waits in the pool's queue.
    const handle = createDatabase({ url: database().url, max: 1 });
    const tracer = trace.getTracer('test');
    try {
      const held = await tracer.startActiveSpan('holder', async (holder) => {
        const connection = await handle.pool.connect();
        return { connection, holder };
      });
      const read = tracer.startActiveSpan('reader', async (reader) => {
        await userIdBySub(handle.db, 'nobody');
        reader.end();
        return reader;
      });
      // pg-pool hands the connection to the queued read from inside the holder's context.
      context.with(trace.setSpan(context.active(), held.holder), () => held.connection.release());
      const reader = await read;
      held.holder.end();

      const statements = exporter.getFinishedSpans().filter((span) => String(span.attributes['db.query.text'] ?? '').includes('"users"'));
      expect(statements.map((span) => span.parentSpanContext?.spanId)).toEqual([reader.spanContext().spanId]);
    } finally {
      await handle.close();
    }
  });
});
