import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type {} from 'vitest';
import { createDatabase } from '../create-database.js';
import { startEmbeddedPostgres } from '../embedded-postgres.js';
import { migrateToLatest } from '../migrate.js';
import { describeDatabaseError, redactDatabaseUrl } from '../errors.js';
import { DatabaseStartupError, parseDatabaseUrl, withDatabaseName } from '../open-database.js';

/** What the global setup hands every test file: where to clone its own database from. */
export interface TestDatabaseContext {
  /** A URL on the test server with rights to create and drop databases. */
  adminUrl: string;
  /** The migrated database that each test file's database is cloned from. */
  template: string;
  /** Prefix of every per-file database, so teardown can find leftovers. */
  prefix: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    reelpostTestDatabase: TestDatabaseContext;
  }
}

export interface TestDatabaseServerOptions {
  /** DATABASE_URL: run against that server (its database is only used to connect); else an embedded one. */
  databaseUrl?: string | undefined;
  /** Extra schema the template needs beyond our migrations (e.g. the job queue's tables). */
  prepareTemplate?: (url: string) => Promise<void>;
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export async function dropDatabasesWithPrefix(adminUrl: string, prefix: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname <> current_database()",
      [prefix],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  });
}

/**
 * Starts (or reaches) the test Postgres once per run and migrates a template database, so that every test file
 * can clone a fresh, migrated database in milliseconds.
 */
export async function startTestDatabaseServer(
  options: TestDatabaseServerOptions = {},
): Promise<{ context: TestDatabaseContext; teardown: () => Promise<void> }> {
  const runId = randomBytes(4).toString('hex');
  let adminUrl: string;
  let prefix: string;
  let stopServer: (() => Promise<void>) | undefined;
  if (options.databaseUrl) {
    adminUrl = parseDatabaseUrl(options.databaseUrl).toString();
    const base = decodeURIComponent(new URL(adminUrl).pathname.slice(1)) || 'reelpost';
    prefix = `${base}_${runId}_`;
  } else {
    // A fresh cluster per run, so that concurrent runs on one machine never meet; it is deleted on stop.
    const server = await startEmbeddedPostgres({ dataDir: join(tmpdir(), `reelpost-test-pg-${runId}`), ephemeral: true });
    adminUrl = server.url;
    prefix = `reelpost_${runId}_`;
    stopServer = server.stop;
  }

  const template = `${prefix}template`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(template)}`)).catch((error: unknown) => {
    throw new DatabaseStartupError(`Cannot reach the test Postgres at ${redactDatabaseUrl(adminUrl)}: ${describeDatabaseError(error)}`);
  });
  const templateUrl = withDatabaseName(adminUrl, template);
  const handle = createDatabase({ url: templateUrl, max: 2 });
  try {
    await migrateToLatest(handle.db);
  } finally {
    await handle.close();
  }
  await options.prepareTemplate?.(templateUrl);

  return {
    context: { adminUrl, template, prefix },
    teardown: async () => {
      await dropDatabasesWithPrefix(adminUrl, prefix);
      await stopServer?.();
    },
  };
}
