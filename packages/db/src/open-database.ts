import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, type DatabaseHandle } from './create-database.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { describeDatabaseError, redactDatabaseUrl } from './errors.js';
import { migrateToLatest } from './migrate.js';
import { findProjectRoot } from './project-root.js';

export class DatabaseStartupError extends Error {
  override readonly name = 'DatabaseStartupError';
}

export interface OpenDatabaseOptions {
  /** A postgres:// URL; when absent an embedded Postgres is started under `dataDir`. */
  databaseUrl?: string | undefined;
  /** Defaults to `<project root>/.data/pg`. */
  dataDir?: string;
  migrate?: boolean;
  max?: number;
  applicationName?: string;
  /** See `createDatabase`. */
  preparedStatements?: boolean;
  onLog?: (line: string) => void;
  /** See startEmbeddedPostgres: false when the caller stops the embedded server in its own shutdown. */
  stopOnSignals?: boolean;
}

export interface OpenedDatabase extends DatabaseHandle {
  url: string;
  embedded: boolean;
  /** Where the embedded server keeps its cluster (see RunningPostgres.dataDir); null with DATABASE_URL. */
  embeddedDataDir: string | null;
  /** Closes the pool and, when it started one, stops the embedded server. */
  shutdown: () => Promise<void>;
}

const EMBEDDED_DATABASE = 'reelpost';

export function parseDatabaseUrl(databaseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new DatabaseStartupError('DATABASE_URL is not a URL; expected postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new DatabaseStartupError(
      `DATABASE_URL must start with postgres:// or postgresql://, not ${url.protocol}//; expected postgres://user:password@host:5432/database`,
    );
  }
  return url;
}

export function withDatabaseName(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function ensureDatabaseExists(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * The one way the server, the worker and the scripts reach Postgres: DATABASE_URL when set, otherwise an embedded
 * server of our own. Every failure becomes a DatabaseStartupError (or MigrationError) whose message is one line
 * saying what is wrong and what to do.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  let url: string;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let embeddedDataDir: string | null = null;
  if (options.databaseUrl) {
    url = parseDatabaseUrl(options.databaseUrl).toString();
  } else {
    const dataDir = options.dataDir ?? join(findProjectRoot(), '.data', 'pg');
    const server = await startEmbeddedPostgres({
      dataDir,
      ...(options.onLog && { onLog: options.onLog }),
      ...(options.stopOnSignals !== undefined && { stopOnSignals: options.stopOnSignals }),
    });
    stopEmbedded = server.stop;
    embeddedDataDir = server.dataDir;
    url = withDatabaseName(server.url, EMBEDDED_DATABASE);
    await ensureDatabaseExists(server.url, EMBEDDED_DATABASE).catch(async (error: unknown) => {
      await server.stop();
      throw new DatabaseStartupError(`Could not create the embedded database: ${describeDatabaseError(error)}`);
    });
  }

  const handle = createDatabase({
    url,
    ...(options.max !== undefined && { max: options.max }),
    ...(options.applicationName !== undefined && { applicationName: options.applicationName }),
    ...(options.preparedStatements !== undefined && { preparedStatements: options.preparedStatements }),
  });
  const shutdown = async () => {
    await handle.close();
    await stopEmbedded?.();
  };
  try {
    await handle.pool.query('SELECT 1');
  } catch (error) {
    await shutdown();
    throw new DatabaseStartupError(`Cannot reach Postgres at ${redactDatabaseUrl(url)}: ${describeDatabaseError(error)}`);
  }
  if (options.migrate !== false) {
    try {
      await migrateToLatest(handle.db);
    } catch (error) {
      await shutdown();
      throw error;
    }
  }
  return { ...handle, url, embedded: stopEmbedded !== undefined, embeddedDataDir, shutdown };
}
