import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useRuntime } from '../test/runtime.js';

const runtime = useRuntime();

const request = (path: string, init?: RequestInit) => runtime().app.request(path, init);

describe('health endpoints', () => {
  it('/healthz answers while the process is up', async () => {
    const response = await request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers ready when the database is reachable and migrated', async () => {
    const response = await request('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('/readyz answers 503 naming the migrations still pending', async () => {
    const { db } = runtime().deps;
    await sql`DELETE FROM kysely_migration WHERE name = '2026-11-27T0001-initial-schema'`.execute(db);
    try {
      const response = await request('/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'migrations_pending', pending: ['2026-11-27T0001-initial-schema'] });
    } finally {
      await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('2026-11-27T0001-initial-schema', now()::text)`.execute(db);
    }
  });
});

describe('the HTTP surface', () => {
  it('gives every response a request id', async () => {
    const response = await request('/healthz');
    expect(response.headers.get('x-request-id')).toMatch(/.{8,}/);
  });

  it('sets secure headers', async () => {
    const response = await request('/healthz');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers an unknown route with a JSON 404 in the error shape', async () => {
    const response = await request('/nowhere');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /nowhere.' } });
  });

  it('answers an unknown REST path with a JSON 404 in the error shape', async () => {
    const response = await request('/api/v1/nothing-here');
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('NOT_FOUND');
  });

  it('refuses bodies over the limit with 413', async () => {
    const response = await request('/api/v1/tasks/x/post-to-tiktok', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) },
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(response.status).toBe(413);
  });
});
