import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findProjectRoot } from '@reelpost/db';

/** bench/results (git-ignored): the latest run's numbers as JSON, for comparing runs by machine. */
export const RESULTS_DIR = join(findProjectRoot(), 'bench', 'results');

/** Where the processes under test write their output (kept after the run, to read when something failed). */
export function logFile(name: string): string {
  const dir = join(RESULTS_DIR, 'logs');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.log`);
}

export function writeResult(name: string, result: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
