import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, findFreePort, startEmbeddedPostgres } from '../src/embedded-postgres.js';
import { findProjectRoot } from '../src/project-root.js';

const dataDir = join(tmpdir(), `reelpost-embedded-test-${process.pid}-${Date.now()}`);

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function query(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

function withPassword(url: string, password: string): string {
  const changed = new URL(url);
  changed.password = password;
  return changed.toString();
}

function postmasterPid(): number {
  return Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]!, 10);
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A child process that starts Postgres on dataDir and keeps running until killed. */
async function childThatStartedPostgres() {
  const script = fileURLToPath(new URL('./helpers/embedded-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir], {
    cwd: findProjectRoot(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  return {
    kill: async (signal: NodeJS.Signals) => {
      child.kill(signal);
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** Runs a child process that starts Postgres on dataDir and is then SIGKILLed, leaving its server orphaned. */
async function crashAChildThatStartedPostgres(): Promise<void> {
  const child = await childThatStartedPostgres();
  await child.kill('SIGKILL');
}

// One data folder through its whole life, in order: create, reuse, crash, recover.
describe.sequential('the embedded Postgres', { timeout: 60_000 }, () => {
  it('initialises a new data folder and answers queries', async () => {
    const server = await startEmbeddedPostgres({ dataDir });
    await query(server.url, 'CREATE TABLE kept (value text)');
    await query(server.url, "INSERT INTO kept VALUES ('survives restarts')");
    await server.stop();
    expect(isAlive(postmasterPidOrZero())).toBe(false);
  });

  it('reuses the data on a second start', async () => {
    const server = await startEmbeddedPostgres({ dataDir });
    expect(await query(server.url, 'SELECT value FROM kept')).toEqual([{ value: 'survives restarts' }]);
    await server.stop();
  });

  it('gives the cluster a superuser password of its own, in a file only its owner can read', async () => {
    const server = await startEmbeddedPostgres({ dataDir });
    try {
      const password = decodeURIComponent(new URL(server.url).password);
      expect(password).toMatch(/^[\w-]{32}$/);
      expect(statSync(join(dataDir, 'reelpost-superuser-password')).mode & 0o777).toBe(0o600);
      await expect(query(withPassword(server.url, 'reelpost-embedded'), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    } finally {
      await server.stop();
    }
  });

  it('replaces the fixed password of a cluster made before, on its next start', async () => {
    const server = await startEmbeddedPostgres({ dataDir });
    await query(server.url, "ALTER ROLE postgres PASSWORD 'reelpost-embedded'");
    await server.stop();
    rmSync(join(dataDir, 'reelpost-superuser-password'));

    const restarted = await startEmbeddedPostgres({ dataDir });
    try {
      expect(decodeURIComponent(new URL(restarted.url).password)).not.toBe('reelpost-embedded');
      expect(await query(restarted.url, 'SELECT value FROM kept')).toEqual([{ value: 'survives restarts' }]);
      await expect(query(withPassword(restarted.url, 'reelpost-embedded'), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    } finally {
      await restarted.stop();
    }
  });

  it('shares a server that another live process started, and leaves it running', async () => {
    const owner = await childThatStartedPostgres();
    try {
      const ownersServer = postmasterPid();
      const shared = await startEmbeddedPostgres({ dataDir });
      expect(await query(shared.url, 'SELECT value FROM kept')).toEqual([{ value: 'survives restarts' }]);
      await shared.stop();
      expect(isAlive(ownersServer)).toBe(true);
    } finally {
      await owner.kill('SIGTERM');
    }
  });

  it('recovers when the previous run died and left its server running', async () => {
    await crashAChildThatStartedPostgres();
    const orphan = postmasterPid();
    expect(isAlive(orphan)).toBe(true);

    const server = await startEmbeddedPostgres({ dataDir });
    expect(isAlive(orphan)).toBe(false);
    expect(await query(server.url, 'SELECT value FROM kept')).toEqual([{ value: 'survives restarts' }]);
    await server.stop();
  });

  it('recovers from a lock file whose server is gone', async () => {
    const server = await startEmbeddedPostgres({ dataDir });
    const pid = postmasterPid();
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(20);

    const restarted = await startEmbeddedPostgres({ dataDir });
    expect(await query(restarted.url, 'SELECT value FROM kept')).toEqual([{ value: 'survives restarts' }]);
    await restarted.stop();
    await server.stop();
  });

  it('says in one line that a port below 1024 cannot be used', async () => {
    const failure = await startEmbeddedPostgres({ dataDir, port: 1 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EmbeddedPostgresError);
    expect((failure as Error).message).toBe(
      'The embedded Postgres may not listen on port 1 (ports below 1024 need privileges); choose a port above 1024.',
    );
  });

  it('says in one line that its port is taken', async () => {
    const taken = createServer();
    const port = await findFreePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const failure = await startEmbeddedPostgres({ dataDir, port }).catch((error: unknown) => error);
      expect((failure as Error).message).toBe(
        `Port ${port} is already in use, so the embedded Postgres cannot listen there; stop what uses it or choose another port.`,
      );
    } finally {
      taken.close();
    }
  });

  it('refuses a data folder made by another Postgres version, saying what to do', async () => {
    const versionFile = join(dataDir, 'PG_VERSION');
    const real = readFileSync(versionFile, 'utf8');
    writeFileSync(versionFile, '16\n');
    try {
      const failure = await startEmbeddedPostgres({ dataDir }).catch((error: unknown) => error);
      expect((failure as Error).message.split('\n')).toEqual([
        `The data folder ${dataDir} holds a Postgres 16 cluster, but the embedded Postgres is version 17.`,
        expect.stringMatching(/^Move or remove that folder .* or set DATABASE_URL/) as string,
      ]);
    } finally {
      writeFileSync(versionFile, real);
    }
  });
});

function postmasterPidOrZero(): number {
  try {
    return postmasterPid();
  } catch {
    return 0;
  }
}
