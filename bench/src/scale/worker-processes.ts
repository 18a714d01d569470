import { join } from 'node:path';
import { findProjectRoot } from '@reelpost/db';
import { type BenchChild, startNodeProcess } from '../shared/child-process.js';
import { logFile } from '../shared/results.js';

/** The built worker (`pnpm worker`: apps/server dist/worker.js), which runs the background jobs only. */
const WORKER_ENTRY = join(findProjectRoot(), 'apps', 'server', 'dist', 'worker.js');

/** `cpuProfileDir`: each worker writes a V8 CPU profile there when it stops. */
export async function startWorkers(count: number, env: Record<string, string>, { cpuProfileDir }: { cpuProfileDir?: string } = {}): Promise<BenchChild[]> {
  const profile = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const workers = Array.from({ length: count }, (_, n) =>
    startNodeProcess({ name: `worker ${n + 1}`, args: ['--enable-source-maps', ...profile, WORKER_ENTRY], env, logFile: logFile(`worker-${n + 1}`) }),
  );
  await Promise.all(workers.map((worker) => worker.waitFor(/Reelpost worker running/)));
  return workers;
}
