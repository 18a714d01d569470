import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findProjectRoot } from '@reelpost/db';
import { type BenchChild, startNodeProcess } from '../shared/child-process.js';
import { TRACE_GC_FLAG } from '../shared/gc.js';
import { logFile } from '../shared/results.js';

/** The built server (apps/server/dist, what `npm start` runs), built by turbo before the benchmark starts. */
export const SERVER_ENTRY = join(findProjectRoot(), 'apps', 'server', 'dist', 'main.js');

/** The Node flags of the server's `start` script (source maps, V8's heap sizing), so the benchmark runs what ships. */
function startScriptNodeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(join(findProjectRoot(), 'apps', 'server', 'package.json'), 'utf8')) as { scripts: { start: string } };
  return manifest.scripts.start.split(/\s+/).filter((word) => word.startsWith('--'));
}

/**
 * The request rate limits and the batch cap stay on, as in production — every request is counted in Postgres, and
 * MAX_BATCH_ITEMS keeps its default — so their cost is in the numbers; only the limits are raised past the load
 * (a few users at thousands of requests a second), since a 429 is cheaper than an answer and would flatter the run.
 */
const COUNTED_NEVER_REACHED: Record<string, string> = Object.fromEntries(
  ['READS', 'READS_PER_IP', 'POSTS', 'POSTS_PER_IP', 'CONNECTS', 'CONNECTS_PER_IP', 'DEV_TOKEN_PER_IP'].map((name) => [`RATE_LIMIT_${name}`, '1000000000']),
);

export interface RunningServer {
  child: BenchChild;
  /** Where to send requests (loopback by address, so nothing waits on name resolution). */
  url: string;
  /** The server's own idea of its address (PUBLIC_URL): what it tells TikTok and puts in links. */
  publicUrl: string;
}

/**
 * Starts the real server in demo mode on a free port, serving requests only (WORKER=off, as servers scaled apart
 * from workers run). `cpuProfileDir` writes a V8 CPU profile there when it stops; `traceGc` logs every garbage
 * collection (shared/gc.ts reads them); `entry` runs another build.
 */
export async function startReelpostServer(
  env: Record<string, string>,
  {
    cpuProfileDir,
    traceGc = false,
    name = 'server',
    entry = SERVER_ENTRY,
  }: { cpuProfileDir?: string; traceGc?: boolean; name?: string; entry?: string } = {},
): Promise<RunningServer> {
  const profile = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const child = startNodeProcess({
    name,
    args: [...startScriptNodeFlags(), ...profile, ...(traceGc ? [TRACE_GC_FLAG] : []), entry],
    // Demo mode asked for by name: with DATABASE_URL (a benchmark database on a server of yours) it is not implied.
    env: { PORT: '0', HOST: '127.0.0.1', WORKER: 'off', REELPOST_DEMO: '1', ...COUNTED_NEVER_REACHED, ...env },
    logFile: logFile(name),
  });
  const [, publicUrl] = await child.waitFor(/Reelpost is running at (\S+)/);
  return { child, url: publicUrl!.replace('//localhost:', '//127.0.0.1:'), publicUrl: publicUrl! };
}
