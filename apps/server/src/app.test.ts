import { useTestDatabase } from '@reelpost/db/testing';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.js';

const database = useTestDatabase();

describe('health endpoints', () => {
  it('/healthz answers while the process is up', async () => {
    const response = await createApp({ db: database().db }).request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers ready when the database is reachable and migrated', async () => {
    const response = await createApp({ db: database().db }).request('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('/readyz answers 503 naming the migrations still pending', async () => {
    const { db } = database();
    await sql`DELETE FROM kysely_migration WHERE name = '2026-11-27T0001-initial-schema'`.execute(db);
    try {
      const response = await createApp({ db }).request('/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'migrations_pending', pending: ['2026-11-27T0001-initial-schema'] });
    } finally {
      await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('2026-11-27T0001-initial-schema', now()::text)`.execute(db);
    }
  });
});
