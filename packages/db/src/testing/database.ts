import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../create-database.js';
import { withDatabaseName } from '../open-database.js';
import type { TestDatabaseContext } from './server.js';

export interface TestDatabase extends DatabaseHandle {
  url: string;
  name: string;
  /** Closes the pool and drops the database. */
  drop: () => Promise<void>;
}

export function testDatabaseContext(): TestDatabaseContext {
  return inject('reelpostTestDatabase');
}

/** A fresh migrated database of its own, cloned from the run's template. */
export async function createTestDatabase(context: TestDatabaseContext = testDatabaseContext()): Promise<TestDatabase> {
  const name = `${context.prefix}${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: context.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE ${admin.escapeIdentifier(context.template)}`);
  } finally {
    await admin.end();
  }
  const url = withDatabaseName(context.adminUrl, name);
  const handle = createDatabase({ url, max: 20 });
  let dropped: Promise<void> | undefined;
  return {
    ...handle,
    url,
    name,
    drop: () =>
      (dropped ??= (async () => {
        await handle.close();
        const client = new pg.Client({ connectionString: context.adminUrl });
        await client.connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
        } finally {
          await client.end();
        }
      })()),
  };
}

/**
 * Gives the calling test file its own database for all of its tests: created before the first, dropped after the
 * last. Read it inside tests (or hooks), not at module load.
 */
export function useTestDatabase(): () => TestDatabase {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  return () => {
    if (!database) throw new Error('useTestDatabase(): the database is only available inside tests and hooks');
    return database;
  };
}
