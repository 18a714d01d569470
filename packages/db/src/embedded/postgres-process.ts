import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { binary } from './binaries.js';
import type { PostgresUser } from './postgres-user.js';
import { writePasswordFile } from './postgres-user.js';

/** How to run a program of the build: where it is, and as whom (root runs it as the `postgres` user). */
export interface Runner {
  nativeDir: string;
  user: PostgresUser | undefined;
}

/** A program that could not run or ended badly, with the lines it wrote (read by explainFailure). */
export class PostgresProgramError extends Error {
  constructor(
    message: string,
    readonly lines: readonly string[],
    readonly code?: string,
  ) {
    super(message);
  }
}

const READY = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

function spawnProgram(runner: Runner, name: 'initdb' | 'postgres', args: string[], onLine: (line: string) => void): ChildProcess {
  const child = spawn(binary(runner.nativeDir, name), args, {
    // The postgres user may not be able to enter the caller's folder; '/' it can.
    cwd: '/',
    // Its own process group: the terminal's Ctrl-C reaches the caller, which stops the server last, after its work.
    detached: name === 'postgres',
    stdio: ['ignore', 'pipe', 'pipe'],
    // The child's own environment (PATH, locale), not Reelpost's configuration; English messages, which we parse.
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...(runner.user && { uid: runner.user.uid, gid: runner.user.gid }),
  });
  const split = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') onLine(line);
  };
  child.stdout?.on('data', split);
  child.stderr?.on('data', split);
  return child;
}

/** Waits for the program to end; an 'error' event (it could not be run at all) rejects instead of crashing. */
function finished(child: ChildProcess, what: string, lines: () => readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => reject(new PostgresProgramError(`${what}: ${error.message}`, lines(), error.code)));
    child.once('close', (code, signal) =>
      code === 0 ? resolve() : reject(new PostgresProgramError(`${what} ended with ${signal ?? `code ${code}`}`, lines())),
    );
  });
}

export async function initialiseCluster(runner: Runner, dataDir: string, superuser: { name: string; password: string }, onLine: (line: string) => void): Promise<void> {
  const lines: string[] = [];
  const passwordFile = await writePasswordFile(dataDir, superuser.password, runner.user);
  try {
    const args = [`--pgdata=${dataDir}`, '--auth=password', `--username=${superuser.name}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--lc-messages=C'];
    const child = spawnProgram(runner, 'initdb', args, (line) => {
      lines.push(line);
      onLine(line);
    });
    await finished(child, 'initdb', () => lines);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** Servers this process started and has not stopped: stopped if the process exits without doing it. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function stopAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a signal is all that can be sent; Postgres then shuts down by itself.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGINT');
  });
}

export interface ServerProcess {
  pid: number;
  /** Fast shutdown (SIGINT): sessions end, the cluster is left consistent. Stopping a server that is gone is a no-op. */
  stop: () => Promise<void>;
}

export async function startServerProcess(runner: Runner, dataDir: string, port: number, flags: string[], onLine: (line: string) => void): Promise<ServerProcess> {
  const lines: string[] = [];
  let announceReady: (() => void) | undefined;
  const child = spawnProgram(runner, 'postgres', ['-D', dataDir, '-p', String(port), ...flags], (line) => {
    lines.push(line);
    if (lines.length > 200) lines.shift();
    onLine(line);
    if (line.includes(READY)) announceReady?.();
  });
  const ended = finished(child, 'postgres', () => lines);
  running.add(child);
  stopAllOnExit();
  const gone = ended.then(
    () => undefined,
    () => undefined,
  );
  void gone.then(() => running.delete(child));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new PostgresProgramError(`postgres was not ready within ${START_TIMEOUT_MS / 1000} s`, lines));
    }, START_TIMEOUT_MS);
    announceReady = () => {
      clearTimeout(timer);
      resolve();
    };
    ended.then(
      () => reject(new PostgresProgramError('postgres ended before it was ready', lines)),
      (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
    ).finally(() => clearTimeout(timer));
  });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
      await gone;
      clearTimeout(timer);
    })());
  return { pid: child.pid ?? 0, stop };
}

/** Stops every server this process started (on a signal, before exiting). */
export async function stopAllServers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGINT');
        }),
    ),
  );
}
