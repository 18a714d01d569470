import { readFileSync } from 'node:fs';

// Resident memory of the processes under test, read from /proc (Linux) while the load runs; the peak is what a
// container limit has to allow.

function rssMiB(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) / 1024 : null;
  } catch {
    // The process has exited, or this is not Linux.
    return null;
  }
}

export interface RssSampler {
  /** The highest resident set size seen per process, in MiB (null: never readable). */
  peaks: () => Record<string, number | null>;
  stop: () => void;
}

export function sampleRss(pids: Record<string, number>, everyMs = 200): RssSampler {
  const peaks: Record<string, number | null> = Object.fromEntries(Object.keys(pids).map((name) => [name, null]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const now = rssMiB(pid);
      if (now !== null) peaks[name] = Math.max(peaks[name] ?? 0, now);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    peaks: () => ({ ...peaks }),
    stop: () => clearInterval(timer),
  };
}
