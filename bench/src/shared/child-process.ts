import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { findProjectRoot } from '@reelpost/db';

// The processes under test run apart from the load generator, as in production. Their output goes to a log file,
// not a pipe: reading a busy server's access log would cost the load generator CPU it needs, on the same machine.

export interface BenchChild {
  name: string;
  pid: number;
  logFile: string;
  /** When it was spawned (Date.now()): its V8 logs time their lines from about then. */
  startedAt: number;
  /** The first match of `pattern` in the output; fails when the process exits first or time runs out. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  /** SIGTERM (a graceful stop), then SIGKILL after `graceMs`. */
  stop: (graceMs?: number) => Promise<void>;
}

export interface StartOptions {
  name: string;
  args: string[];
  env: Record<string, string>;
  logFile: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The Node that runs what the benchmark starts (servers, floor, emulator): BENCH_NODE, a path to another `node`
 * (users run 22 and 24 LTS; AsyncLocalStorage, which tracing's context rides on, is far cheaper from Node 24 on),
 * or the one running the benchmark.
 */
export const BENCH_NODE = process.env.BENCH_NODE || process.execPath;

export function startNodeProcess({ name, args, env, logFile }: StartOptions): BenchChild {
  const log = openSync(logFile, 'w');
  const startedAt = Date.now();
  const child: ChildProcess = spawn(BENCH_NODE, args, {
    cwd: findProjectRoot(),
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const output = () => readFileSync(logFile, 'utf8');

  return {
    name,
    pid: child.pid,
    logFile,
    startedAt,
    waitFor: async (pattern, timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(output());
        if (match) return match;
        if (!running()) throw new Error(`${name} exited before printing ${pattern}; its output (${logFile}):\n${output().slice(-3_000)}`);
        if (Date.now() > deadline) throw new Error(`${name} did not print ${pattern} within ${timeoutMs} ms (${logFile})`);
        await sleep(100);
      }
    },
    stop: async (graceMs = 15_000) => {
      if (!running()) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(killer);
    },
  };
}
