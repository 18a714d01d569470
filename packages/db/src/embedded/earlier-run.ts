import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmbeddedPostgresError } from './errors.js';

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
    await sleep(100);
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

export type EarlierRun = { kind: 'none' } | { kind: 'running'; port: number };

/**
 * What an earlier run left in this data directory. A server still owned by a live Node process (the demo server
 * while `pnpm worker` or a migration starts beside it) is shared, never stopped. A run that crashed or was
 * SIGKILLed leaves postmaster.pid behind, and sometimes its server running with nobody to stop it: such an orphan
 * is stopped and a lock file whose process is gone is cleared, so the next start is not a dead end.
 */
export async function inspectEarlierRun(dataDir: string): Promise<EarlierRun> {
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

