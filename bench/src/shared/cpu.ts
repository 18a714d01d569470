import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// CPU time spent by the processes under test (Linux /proc; ticks of 1/100 s), so a run reports CPU per request or
// per post — what decides how many cores a deployment needs — rather than only wall-clock rates that another load
// on the machine distorts. Postgres counts as the postmaster, its live backends and the backends it has reaped.

const TICKS_PER_SECOND = 100;

interface ProcStat {
  ppid: number;
  /** utime + stime of the process itself */
  own: number;
  /** cutime + cstime: children it has waited for */
  children: number;
}

function procStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; fields are counted after its closing parenthesis (field 3 = index 0).
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
    return { ppid: fields[1] ?? 0, own: (fields[11] ?? 0) + (fields[12] ?? 0), children: (fields[13] ?? 0) + (fields[14] ?? 0) };
  } catch {
    return null;
  }
}

/** CPU seconds a process has used so far (null: gone, or not Linux). */
export function processCpuSeconds(pid: number): number | null {
  const stat = procStat(pid);
  return stat ? stat.own / TICKS_PER_SECOND : null;
}

/** CPU seconds of a Postgres server so far: the postmaster, its live children and those it has reaped. */
export function postgresCpuSeconds(dataDir: string): number | null {
  let postmaster: number;
  try {
    postmaster = Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
  } catch {
    return null;
  }
  const root = procStat(postmaster);
  if (!root) return null;
  let ticks = root.own + root.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat?.ppid === postmaster) ticks += stat.own;
  }
  return ticks / TICKS_PER_SECOND;
}

export interface CpuMeter {
  /** CPU seconds used per measured process since the meter started. */
  used: () => Record<string, number | null>;
}

/** Starts counting CPU for these processes (pids) and, when `postgresDataDir` is given, the embedded Postgres. */
export function meterCpu(pids: Record<string, number>, postgresDataDir?: string): CpuMeter {
  const read = (): Record<string, number | null> => ({
    ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuSeconds(pid)])),
    ...(postgresDataDir && { postgres: postgresCpuSeconds(postgresDataDir) }),
  });
  const start = read();
  return {
    used: () =>
      Object.fromEntries(
        Object.entries(read()).map(([name, now]) => {
          const before = start[name];
          return [name, now === null || before === null || before === undefined ? null : now - before];
        }),
      ),
  };
}
