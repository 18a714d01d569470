import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { binary, type PostgresBuild } from './binaries.js';
import { EmbeddedPostgresError } from './errors.js';

const run = promisify(execFile);

/**
 * Postgres refuses to run as root, so as root the embedded server runs as the system user `postgres` (created when
 * missing, as Debian's own package does). That user cannot enter a folder only root can (`/root/…`, `mktemp -d`):
 * rather than loosen the permissions of the person's folders, what it needs that it cannot reach is placed under
 * SHARED_ROOT, a root-owned folder it can enter, as the conventional home of a service's state.
 */
export const SHARED_ROOT = '/var/lib/reelpost';

export interface PostgresUser {
  uid: number;
  gid: number;
}

export const runningAsRoot = (): boolean => process.getuid?.() === 0;

async function idOf(flag: '-u' | '-g'): Promise<number> {
  const { stdout } = await run('id', [flag, 'postgres']);
  return Number.parseInt(stdout, 10);
}

export async function ensurePostgresUser(): Promise<PostgresUser> {
  const lookUp = async () => ({ uid: await idOf('-u'), gid: await idOf('-g') });
  try {
    return await lookUp();
  } catch {
    // Not there yet: create it below.
  }
  try {
    await run('groupadd', ['--system', '-f', 'postgres']);
    await run('useradd', ['--system', '-g', 'postgres', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', 'postgres']);
    return await lookUp();
  } catch (error) {
    const reason = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new EmbeddedPostgresError(
      `Running as root, the embedded Postgres must run as the system user "postgres", which could not be created (${reason}).\n` +
        'Create it (useradd --system postgres), run as an ordinary user, or set DATABASE_URL to a Postgres server of your own.',
    );
  }
}

/** Whether `user` can search every folder down to `path` and execute (or enter) it: access(2) as that user. */
export function canReach(user: PostgresUser, path: string): boolean {
  const probe = spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', path], { uid: user.uid, gid: user.gid, cwd: '/', env: {}, stdio: 'ignore' });
  return probe.status === 0;
}

/** SHARED_ROOT (or a folder in it) as root's own: refuses one that another user could have planted or can write. */
async function rootOwnedFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o755 });
  const info = await stat(path);
  if (info.uid !== 0 || (info.mode & 0o022) !== 0) {
    throw new EmbeddedPostgresError(
      `${path} must belong to root and be writable by root alone (it holds the embedded Postgres for the "postgres" user); fix its owner and mode, or set DATABASE_URL.`,
    );
  }
  await chmod(path, 0o755);
}

/**
 * The build's folder when `user` can run it in place, else a copy under SHARED_ROOT, made once per version: copied
 * aside, then renamed into place, so a concurrent start never sees half a copy.
 */
export async function reachableBuild(build: PostgresBuild, user: PostgresUser): Promise<string> {
  if (canReach(user, binary(build.nativeDir, 'postgres')) && canReach(user, binary(build.nativeDir, 'initdb'))) return build.nativeDir;
  const target = join(SHARED_ROOT, `postgres-${build.version}-${build.platform}`);
  if (existsSync(join(target, 'bin', 'postgres'))) return target;
  await rootOwnedFolder(SHARED_ROOT);
  const staging = `${target}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await cp(build.nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    await rename(staging, target).catch((error: unknown) => {
      // Another process finished the same copy first.
      if (!existsSync(join(target, 'bin', 'postgres'))) throw error;
    });
  } catch (error) {
    throw new EmbeddedPostgresError(`Could not place the embedded Postgres where the "postgres" user can run it (${target}): ${(error as Error).message}`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return target;
}

/**
 * Where the cluster for `dataDir` lives: `dataDir` itself when `user` can enter its parent, else a folder under
 * SHARED_ROOT/data named after it (stable, so the next start finds the same data). The folder ends up owned by
 * `user`, mode 0700, as Postgres requires.
 */
export async function reachableDataDir(dataDir: string, user: PostgresUser): Promise<string> {
  const parent = dirname(resolve(dataDir));
  await mkdir(parent, { recursive: true });
  let chosen = resolve(dataDir);
  if (!canReach(user, parent)) {
    const digest = createHash('sha256').update(chosen).digest('hex').slice(0, 12);
    await rootOwnedFolder(SHARED_ROOT);
    await rootOwnedFolder(join(SHARED_ROOT, 'data'));
    // Named after where it was meant to be (a leading dot dropped: `.data` would make it a hidden folder).
    chosen = join(SHARED_ROOT, 'data', `${basename(parent).replace(/^\.+/, '')}-${basename(chosen)}-${digest}`);
  }
  await mkdir(chosen, { recursive: true, mode: 0o700 });
  const info = await stat(chosen);
  // A folder root just made (or an empty one root owns) is handed over; anyone else's is left alone and refused.
  if (info.uid === 0 && (await readdir(chosen)).length === 0) {
    await chown(chosen, user.uid, user.gid);
    await chmod(chosen, 0o700);
  }
  return chosen;
}

/**
 * initdb reads the superuser's password from a file; it is written beside the cluster's folder, which the server's
 * user can reach (reachableDataDir made sure), readable by that user alone, and removed right after.
 */
export async function writePasswordFile(dataDir: string, password: string, user: PostgresUser | undefined): Promise<string> {
  const file = join(dirname(dataDir), `.reelpost-pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  if (user) await chown(file, user.uid, user.gid);
  return file;
}
