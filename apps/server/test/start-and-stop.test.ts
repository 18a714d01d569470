import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '@reelpost/db';
import { createTestDatabase } from '@reelpost/db/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Child, start, startServer, startWorker } from './processes.js';

const children: Child[] = [];
const folders: string[] = [];
const mounts: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await child.exited;
  }
});
afterAll(() => {
  for (const mountPoint of mounts) execFileSync('umount', [mountPoint]);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(prefix: string): string {
  const path = mkdtempSync(join(tmpdir(), prefix));
  folders.push(path);
  return path;
}

/** What a person sees: the process's whole output, its lines, and its exit code. */
async function failure(child: Child) {
  children.push(child);
  const { code } = await child.exited;
  return { code, lines: child.output().trim().split('\n') };
}

/** A 2 MB disk (root can mount one); elsewhere no disk is small enough to fill, and the test says so. */
function tinyDisk(): string | null {
  if (process.getuid?.() !== 0) return null;
  const mountPoint = folder('reelpost-full-disk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0755', 'tmpfs', mountPoint], { stdio: 'ignore' });
  } catch {
    return null;
  }
  mounts.push(mountPoint);
  return mountPoint;
}

const quiet = { LOG_LEVEL: 'warn' };
/** `npm start` on a fresh clone: nothing configured, so the demo on its embedded Postgres (even when CI's run has a DATABASE_URL). */
const embeddedDemo = { ...quiet, DATABASE_URL: '' };

// Each failure ends the process with exit code 1 and a line or two a person can act on: no stack trace, no
// unhandled 'error' event.
describe('start-up failures, as `npm start`, `pnpm worker` and `npm test` show them', { timeout: 60_000 }, () => {
  it('the HTTP port is taken', async () => {
    const port = await findFreePort();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '0.0.0.0', resolve));
    const database = await createTestDatabase();
    try {
      const { code, lines } = await failure(startServer({ ...quiet, REELPOST_DEMO: '1', DATABASE_URL: database.url, PORT: String(port) }));
      expect(code).toBe(1);
      expect(lines).toEqual([`Port ${port} is already in use on 127.0.0.1: stop what uses it, or set PORT to another port (PORT=0 picks a free one).`]);
    } finally {
      taken.close();
      await database.drop();
    }
  });

  it('the demo data folder holds a cluster of another Postgres version', async () => {
    const dataDir = folder('reelpost-old-data-');
    // Enterable by the postgres user when run as root, so the cluster is this one rather than a relocated one.
    chmodSync(dataDir, 0o755);
    mkdirSync(join(dataDir, 'pg'));
    writeFileSync(join(dataDir, 'pg', 'PG_VERSION'), '15\n');
    const { code, lines } = await failure(startServer({ ...embeddedDemo, DATA_DIR: dataDir, PORT: '0' }));
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^The data folder .*pg holds a Postgres 15 cluster, but the embedded Postgres is version 17\.$/) as string,
      'Move or remove that folder to start with a fresh one (demo data is re-seeded), or set DATABASE_URL to a Postgres server of your own.',
    ]);
  });

  const disk = tinyDisk();
  it.skipIf(!disk)('the disk is full', async () => {
    const { code, lines } = await failure(startServer({ ...embeddedDemo, DATA_DIR: disk!, PORT: '0' }));
    expect(code).toBe(1);
    expect(lines).toEqual([
      `Out of disk space: the embedded Postgres could not write to ${join(disk!, 'pg')}.`,
      'Free some space (or set DATA_DIR to a disk with room), then start again.',
    ]);
  });

  it('the worker cannot reach DATABASE_URL', async () => {
    const port = await findFreePort();
    const { code, lines } = await failure(startWorker({ ...quiet, REELPOST_DEMO: '1', DATABASE_URL: `postgres://app:secret@127.0.0.1:${port}/app` }));
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^Cannot reach Postgres at postgres://app:\\*\\*\\*@127\\.0\\.0\\.1:${port}/app: connect ECONNREFUSED`)) as string]);
  });

  it.skipIf(!disk)('`npm test` cannot start its Postgres', async () => {
    const temp = join(disk!, 'tmp');
    mkdirSync(temp, { recursive: true });
    const vitest = start(process.execPath, [join('node_modules', 'vitest', 'vitest.mjs'), 'run', 'packages/db/test/constraints.test.ts'], {
      TMPDIR: temp,
      DATABASE_URL: '',
      REELPOST_TEST_REPORT: '',
      // A child with coverage on would clean the coverage folder the run around it is still writing into.
      REELPOST_COVERAGE: '',
    });
    const { code, lines } = await failure(vitest);
    expect(code).toBe(1);
    expect(lines.slice(-2)).toEqual([
      expect.stringMatching(/^Out of disk space: the embedded Postgres could not write to .*reelpost-test-pg-[0-9a-f]+\.$/) as string,
      'Free some space (or set DATA_DIR to a disk with room), then start again.',
    ]);
    expect(lines.some((line) => /^\s+at /.test(line))).toBe(false);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('stopping the demo', { timeout: 60_000 }, () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('on %s stops its embedded Postgres before the process exits', async (signal) => {
    const dataDir = folder('reelpost-demo-stop-');
    const server = startServer({ ...embeddedDemo, DATA_DIR: dataDir, PORT: '0' });
    children.push(server);
    const [, clusterDir] = await server.line(/Embedded Postgres: data in (\S+)/);
    const postgresPid = Number.parseInt(readFileSync(join(clusterDir!, 'postmaster.pid'), 'utf8'), 10);
    expect(isAlive(postgresPid)).toBe(true);

    server.process.kill(signal);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(isAlive(postgresPid)).toBe(false);
    rmSync(clusterDir!, { recursive: true, force: true });
  });
});
