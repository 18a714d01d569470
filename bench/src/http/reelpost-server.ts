import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findProjectRoot } from '@reelpost/db';
import { type BenchChild, startNodeProcess } from '../shared/child-process.js';
import { logFile } from '../shared/results.js';

/** The built server (apps/server/dist, what `npm start` runs), built by turbo before the benchmark starts. */
export const SERVER_ENTRY = join(findProjectRoot(), 'apps', 'server', 'dist', 'main.js');

/** The Node flags of the server's `start` script (source maps, V8's heap sizing), so the benchmark runs what ships. */
function startScriptNodeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(join(findProjectRoot(), 'apps', 'server', 'package.json'), 'utf8')) as { scripts: { start: string } };
  return manifest.scripts.start.split(/\s+/).filter((word) => word.startsWith('--'));
}

export interface RunningServer {
  child: BenchChild;
  /** Where to send requests (loopback by address, so nothing waits on name resolution). */
  url: string;
  /** The server's own idea of its address (PUBLIC_URL): what it tells TikTok and puts in links. */
  publicUrl: string;
}

/**
 * Starts the real server in demo mode on a free port, serving requests only (WORKER=off, as servers scaled apart
 * from workers run). `cpuProfileDir` writes a V8 CPU profile there when it stops.
 */
export async function startReelpostServer(env: Record<string, string>, { cpuProfileDir }: { cpuProfileDir?: string } = {}): Promise<RunningServer> {
  const profile = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const child = startNodeProcess({
    name: 'server',
    args: [...startScriptNodeFlags(), ...profile, SERVER_ENTRY],
    env: { PORT: '0', HOST: '127.0.0.1', WORKER: 'off', ...env },
    logFile: logFile('server'),
  });
  const [, publicUrl] = await child.waitFor(/Reelpost is running at (\S+)/);
  return { child, url: publicUrl!.replace('//localhost:', '//127.0.0.1:'), publicUrl: publicUrl! };
}
