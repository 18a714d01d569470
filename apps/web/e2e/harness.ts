// What the browser suite runs against: a throwaway embedded Postgres, the real built server in demo mode as a child
// process on a free port, and Debian's Chromium driven by playwright-core.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type RunningPostgres, startEmbeddedPostgres } from '@reelpost/db';
import { type BrowserContext, chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const webRoot = join(here, '..');
export const repoRoot = join(webRoot, '..', '..');
export const screenshotDir = join(here, 'screenshots');
const serverEntry = join(repoRoot, 'apps', 'server', 'dist', 'main.js');

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface DemoServer {
  url: string;
  /** The in-process TikTok emulator's base URL (its admin API is under /__emulator/). */
  tiktokUrl: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts `apps/server/dist/main.js` in demo mode (asked for by name: a database is given), on a free port. */
export async function startDemoServer(databaseUrl: string): Promise<DemoServer> {
  if (!existsSync(serverEntry)) throw new Error(`${serverEntry} is missing: build first (e2e/run.sh does)`);
  const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', serverEntry], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', DATABASE_URL: databaseUrl, REELPOST_DEMO: '1', LOG_LEVEL: 'warn', TIKTOK_CLIENT_KEY: '', TIKTOK_EMULATOR_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  let tiktokUrl: string | undefined;
  while (!(url && tiktokUrl)) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server printed no URL within 60 s:\n${output}`);
    }
    await sleep(100);
    url = /Reelpost is running at (\S+)/.exec(output)?.[1];
    tiktokUrl = /the local emulator at (\S+)/.exec(output)?.[1];
  }
  return {
    url,
    tiktokUrl,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface Postgres {
  url: string;
  stop: () => Promise<void>;
}

/** A Postgres of the suite's own, deleted afterwards: nothing is shared with a server a developer is running. */
export async function startThrowawayPostgres(): Promise<Postgres> {
  const dataDir = await mkdtemp(join(tmpdir(), 'reelpost-e2e-pg-'));
  const server: RunningPostgres = await startEmbeddedPostgres({ dataDir, ephemeral: true });
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  stop: () => Promise<void>;
}

/** Debian's Chromium with a fresh profile (browsers cannot be downloaded here; the Debian package can). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (e2e/run.sh does)`);
  const profile = await mkdtemp(join(tmpdir(), 'reelpost-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
  });
  return {
    context,
    stop: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Calls one of the emulator's controls (`POST /__emulator/<control>` with the arguments as a JSON array). */
export async function emulatorControl(tiktokUrl: string, control: string, ...args: unknown[]): Promise<unknown> {
  const response = await fetch(`${tiktokUrl}/__emulator/${control}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(args),
  });
  const body = (await response.json()) as { result?: unknown; error?: string };
  if (!response.ok) throw new Error(`emulator ${control}: ${body.error ?? response.status}`);
  return body.result;
}

/** A `datetime-local` value in this machine's time zone (the browser's too). */
export function localDateTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
