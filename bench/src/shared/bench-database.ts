import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, openDatabase, type OpenedDatabase, parseDatabaseUrl, redactDatabaseUrl, withDatabaseName } from '@reelpost/db';
import { sql } from 'kysely';

// A database of the benchmark's own, so its 10,000 rows never reach the demo's: with DATABASE_URL a fresh database
// on that server (dropped afterwards); otherwise an embedded Postgres in a temporary DATA_DIR, which the processes
// under test share (given the same DATA_DIR, they connect to the server this process started).

export interface BenchDatabase {
  database: OpenedDatabase;
  /** What the server and workers are started with to reach the same database. */
  processEnv: Record<string, string>;
  /** For people: where the data is. */
  where: string;
  /** The embedded server's data folder, to count its CPU (none with DATABASE_URL: it may be on another machine). */
  postgresDataDir?: string;
  close: () => Promise<void>;
}

async function runOnServer(url: string, statement: string): Promise<void> {
  const admin = createDatabase({ url, max: 1, applicationName: 'reelpost-bench' });
  try {
    await sql.raw(statement).execute(admin.db);
  } finally {
    await admin.close();
  }
}

export async function openBenchDatabase({ pool = 10 }: { pool?: number } = {}): Promise<BenchDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `reelpost_bench_${randomBytes(4).toString('hex')}`;
    const admin = parseDatabaseUrl(serverUrl).toString();
    await runOnServer(admin, `CREATE DATABASE ${name}`);
    const url = withDatabaseName(admin, name);
    const database = await openDatabase({ databaseUrl: url, max: pool, applicationName: 'reelpost-bench', stopOnSignals: false });
    return {
      database,
      processEnv: { DATABASE_URL: url },
      where: `database ${name} on ${redactDatabaseUrl(admin)}`,
      close: async () => {
        await database.shutdown();
        await runOnServer(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  }
  const workDir = mkdtempSync(join(tmpdir(), 'reelpost-bench-'));
  // Run as root, Postgres runs as its own `postgres` user, which must be able to enter the folder.
  chmodSync(workDir, 0o755);
  const dataDir = join(workDir, 'data');
  // Stopped by the benchmark's own cleanup, after the processes using it (see cleanup.ts).
  const database = await openDatabase({ dataDir: join(dataDir, 'pg'), max: pool, applicationName: 'reelpost-bench', stopOnSignals: false });
  return {
    database,
    processEnv: { DATA_DIR: dataDir },
    where: `embedded Postgres in ${dataDir}`,
    postgresDataDir: join(dataDir, 'pg'),
    close: async () => {
      await database.shutdown();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
