import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findProjectRoot } from '@reelpost/db';
import { connectTikTokEmulator, type TikTokEmulatorControls, type TikTokEmulatorOptions } from '@reelpost/tiktok-emulator';
import { type BenchChild, startNodeProcess } from './child-process.js';
import { logFile } from './results.js';

const EMULATOR_ENTRY = join(findProjectRoot(), 'packages', 'tiktok-emulator', 'src', 'cli.ts');

export interface RunningEmulator {
  child: BenchChild;
  url: string;
  controls: TikTokEmulatorControls;
}

/**
 * The standalone emulator (`pnpm --filter @reelpost/tiktok-emulator emulator`) as its own process, as TikTok is to a deployed
 * server: elsewhere. `windowMs` shortens TikTok's per-token window (the workers get the same
 * TIKTOK_RATE_LIMIT_WINDOW_MS). Processing is quick and posts are private, so a post is final moments after its init
 * and a run measures posting, not TikTok's queue.
 */
export async function startEmulatorProcess({ windowMs }: { windowMs?: number } = {}): Promise<RunningEmulator> {
  const config: TikTokEmulatorOptions = { processing: { baseMs: 500, msPerMiB: 0, moderationDelayMs: 0 } };
  const configFile = logFile('emulator-config').replace(/\.log$/, '.json');
  writeFileSync(configFile, JSON.stringify(config));
  const child = startNodeProcess({
    name: 'emulator',
    args: ['--import', 'tsx', EMULATOR_ENTRY, '--json', '--seed', `bench-${Date.now()}`, '--config', configFile],
    env: windowMs === undefined ? {} : { TIKTOK_RATE_LIMIT_WINDOW_MS: String(windowMs) },
    logFile: logFile('emulator'),
  });
  const [json] = await child.waitFor(/\{"url".*\}/);
  const { url } = JSON.parse(json) as { url: string };
  return { child, url, controls: connectTikTokEmulator(url) };
}
