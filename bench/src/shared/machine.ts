import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { BENCH_NODE } from './child-process.js';

// What a number was measured on: results from a 2-core laptop and a 32-core server are not comparable, and a run
// beside other work (a test suite) is slower than the machine is.

export interface Machine {
  cpuModel: string;
  cores: number;
  node: string;
  platform: string;
}

export function describeMachine(): Machine {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: availableParallelism(),
    // The Node the measured processes run on (BENCH_NODE), which may not be the benchmark's own.
    node: BENCH_NODE === process.execPath ? process.version : execFileSync(BENCH_NODE, ['--version'], { encoding: 'utf8' }).trim(),
    platform: `${process.platform} ${process.arch}`,
  };
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadAverage(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(', ');
}
