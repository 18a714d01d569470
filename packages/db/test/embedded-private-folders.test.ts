import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/embedded-postgres.js';

const asRoot = process.getuid?.() === 0;
// A folder only its owner can enter, as `mktemp -d` or /root give a root user.
const privateFolder = mkdtempSync(join(tmpdir(), 'reelpost-private-'));

afterAll(() => rmSync(privateFolder, { recursive: true, force: true }));

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one === 1;
  } finally {
    await client.end();
  }
}

describe.runIf(asRoot)('the embedded Postgres, started by root in a folder only root can enter', { timeout: 60_000 }, () => {
  it('keeps its data in a reachable place of its own and leaves the folder private', async () => {
    const server = await startEmbeddedPostgres({ dataDir: join(privateFolder, 'persistent', 'pg') });
    try {
      expect(await answers(server.url)).toBe(true);
      expect(server.dataDir).toMatch(/^\/var\/lib\/reelpost\/data\/persistent-pg-[0-9a-f]{12}$/);
      expect(statSync(privateFolder).mode & 0o777).toBe(0o700);
    } finally {
      await server.stop();
      rmSync(server.dataDir, { recursive: true, force: true });
    }
  });

  it('finds the same data on the next start', async () => {
    const dataDir = join(privateFolder, 'again', 'pg');
    const first = await startEmbeddedPostgres({ dataDir });
    await first.stop();
    const second = await startEmbeddedPostgres({ dataDir });
    try {
      expect(second.dataDir).toBe(first.dataDir);
    } finally {
      await second.stop();
      rmSync(second.dataDir, { recursive: true, force: true });
    }
  });

  it('refuses, in two lines, a data folder that belongs to another user', async () => {
    const dataDir = join(tmpdir(), `reelpost-someone-elses-${process.pid}`);
    mkdirSync(dataDir, { mode: 0o700 });
    writeFileSync(join(dataDir, 'PG_VERSION'), '17\n');
    chownSync(dataDir, 4242, 4242);
    try {
      const failure = await startEmbeddedPostgres({ dataDir }).catch((error: unknown) => error);
      expect((failure as Error).message.split('\n')).toEqual([
        `The data folder ${dataDir} belongs to another user (uid 4242), so the embedded Postgres cannot use it.`,
        'Start as that user, choose another DATA_DIR, or set DATABASE_URL to a Postgres server of your own.',
      ]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a shared folder that someone other than root could have planted', async () => {
    const shared = '/var/lib/reelpost/data';
    mkdirSync(shared, { recursive: true });
    chownSync(shared, 4242, 4242);
    try {
      const failure = await startEmbeddedPostgres({ dataDir: join(privateFolder, 'planted', 'pg') }).catch((error: unknown) => error);
      expect((failure as Error).message).toBe(
        `${shared} must belong to root and be writable by root alone (it holds the embedded Postgres for the "postgres" user); fix its owner and mode, or set DATABASE_URL.`,
      );
    } finally {
      chownSync(shared, 0, 0);
    }
  });

  it('deletes a throwaway cluster on stop', async () => {
    const server = await startEmbeddedPostgres({ dataDir: join(privateFolder, 'throwaway'), ephemeral: true });
    await server.stop();
    expect(existsSync(server.dataDir)).toBe(false);
  });
});

/** A 2 MB file system: initdb runs out of room. Mounting needs root; elsewhere there is no disk small enough. */
function tinyDisk(): string | null {
  if (!asRoot) return null;
  const mountPoint = mkdtempSync(join(tmpdir(), 'reelpost-tiny-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0755', 'tmpfs', mountPoint], { stdio: 'ignore' });
    return mountPoint;
  } catch {
    rmSync(mountPoint, { recursive: true, force: true });
    return null;
  }
}

describe('the embedded Postgres on a full disk', { timeout: 60_000 }, () => {
  const disk = tinyDisk();
  afterAll(() => {
    if (!disk) return;
    execFileSync('umount', [disk]);
    rmSync(disk, { recursive: true, force: true });
  });

  it.skipIf(!disk)('says in two lines that the disk is full and what to do', async () => {
    const dataDir = join(disk!, 'pg');
    mkdirSync(dataDir);
    const failure = await startEmbeddedPostgres({ dataDir }).catch((error: unknown) => error);
    expect((failure as Error).message.split('\n')).toEqual([
      `Out of disk space: the embedded Postgres could not write to ${dataDir}.`,
      'Free some space (or set DATA_DIR to a disk with room), then start again.',
    ]);
  });
});
