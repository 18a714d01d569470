import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, type DatabaseHandle, findFreePort, type RunningPostgres, startEmbeddedPostgres, withDatabaseName } from '@reelpost/db';
import { createTestDatabase } from '@reelpost/db/testing';
import { sql } from 'kysely';

/**
 * A database for tests that take Postgres away mid-run. Without DATABASE_URL it is a dedicated embedded server on
 * its own data directory and port, which `restart` stops and starts again on the same port (so every process's
 * DATABASE_URL stays right). With DATABASE_URL it is a fresh database on that server, which this process cannot
 * restart: `restartable` is false and `whyNot` says so.
 */
export interface RestartablePostgres {
  /** The test's database. */
  url: string;
  /** A pool of the test's own (survives restarts: a lost connection is replaced). */
  handle: DatabaseHandle;
  restartable: boolean;
  whyNot: string | null;
  /** Stops the server (fast shutdown: every connection is cut), runs `whileDown`, starts it again. */
  restart: (whileDown: () => Promise<void>) => Promise<void>;
  /** Stops the server or drops the database, and removes what it created. */
  close: () => Promise<void>;
}

const NAME = 'reelpost_faults';

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  if (process.env.DATABASE_URL) {
    const database = await createTestDatabase();
    return {
      url: database.url,
      handle: database,
      restartable: false,
      whyNot: 'DATABASE_URL points at a Postgres server this test did not start and cannot restart',
      restart: () => Promise.reject(new Error('this Postgres cannot be restarted from here')),
      close: database.drop,
    };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'reelpost-faults-pg-'));
  const port = await findFreePort();
  const boot = () => startEmbeddedPostgres({ dataDir, port, stopOnSignals: false });
  let server: RunningPostgres = await boot();
  const admin = createDatabase({ url: server.url, max: 1 });
  await sql`CREATE DATABASE ${sql.id(NAME)}`.execute(admin.db);
  await admin.close();
  const url = withDatabaseName(server.url, NAME);
  const handle = createDatabase({ url, max: 5, applicationName: 'reelpost-faults-test' });
  return {
    url,
    handle,
    restartable: true,
    whyNot: null,
    restart: async (whileDown) => {
      await server.stop();
      try {
        await whileDown();
      } finally {
        server = await boot();
      }
    },
    close: async () => {
      await handle.close();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
