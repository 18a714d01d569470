import { systemClock } from '@reelpost/api';
import { useTestDatabase } from '@reelpost/db/testing';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { createLogger } from './logger.js';

const database = useTestDatabase();

function app() {
  const { db } = database();
  return createApp({
    db,
    logger: createLogger({ level: 'silent' }),
    publicUrl: 'http://localhost:3001',
    createContext: async ({ requestId }) => ({ db, clock: systemClock, session: null, requestId }),
  });
}

describe('health endpoints', () => {
  it('/healthz answers while the process is up', async () => {
    const response = await app().request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers ready when the database is reachable and migrated', async () => {
    const response = await app().request('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('/readyz answers 503 naming the migrations still pending', async () => {
    const { db } = database();
    await sql`DELETE FROM kysely_migration WHERE name = '2026-11-27T0001-initial-schema'`.execute(db);
    try {
      const response = await app().request('/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'migrations_pending', pending: ['2026-11-27T0001-initial-schema'] });
    } finally {
      await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('2026-11-27T0001-initial-schema', now()::text)`.execute(db);
    }
  });
});

describe('the HTTP surface', () => {
  it('gives every response a request id', async () => {
    const response = await app().request('/healthz');
    expect(response.headers.get('x-request-id')).toMatch(/.{8,}/);
  });

  it('sets secure headers', async () => {
    const response = await app().request('/healthz');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers an unknown route with a JSON 404 in the error shape', async () => {
    const response = await app().request('/nowhere');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /nowhere.' } });
  });

  it('answers an unknown REST path with a JSON 404 in the error shape', async () => {
    const response = await app().request('/api/v1/nothing-here');
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('NOT_FOUND');
  });

  it('refuses bodies over the limit with 413', async () => {
    const response = await app().request('/api/v1/anything', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) },
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(response.status).toBe(413);
  });

  it('serves an OpenAPI 3 document with the bearer scheme', async () => {
    const response = await app().request('/api/v1/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; components: { securitySchemes: object } };
    expect(document.openapi).toMatch(/^3\./);
    expect(document.components.securitySchemes).toHaveProperty('bearerAuth');
  });
});
