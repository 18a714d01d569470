import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateFernetKey } from '@reelpost/api';
import { findFreePort } from '@reelpost/db';
import { connectTikTokEmulator, type TikTokEmulatorControls, type TikTokEmulatorOptions } from '@reelpost/tiktok-emulator';
import { type Child, startEmulatorProcess, startServer, startWorker } from '../processes.js';
import { UNREACHED_RATE_LIMITS } from '../unreached-limits.js';
import type { Random } from './plan.js';

// The processes of a fault run: the standalone emulator (TikTok outlives everything of ours), one server answering
// HTTP with WORKER=off, and worker processes (`dist/worker.js`) that are SIGKILLed and replaced as the run goes.
// The server runs with the emulator as its TikTok (TIKTOK_EMULATOR_URL), the same wiring as the demo: OAuth refresh
// over plain http, webhooks to its own route, videos pulled from its own media folder.

/** The posting clocks, shortened so a run ends in minutes; each is an environment variable of the server. */
export const FAULT_RUN_CLOCKS = {
  POSTING_POLL_INITIAL_MS: 500,
  POSTING_POLL_MAX_MS: 2_000,
  POSTING_PROCESSING_DEADLINE_MS: 20_000,
  POSTING_LEASE_MS: 5_000,
  POSTING_ORPHAN_GRACE_MS: 3_000,
  POSTING_SWEEP_INTERVAL_MS: 1_000,
  TIKTOK_TIMEOUT_MS: 1_500,
} as const;

export interface FleetOptions {
  databaseUrl: string;
  workers: number;
  /** TikTok users to create, one per connected account. */
  tiktokUsers: string[];
  seed: number;
}

export interface Fleet {
  serverUrl: string;
  emulator: TikTokEmulatorControls;
  /** The secrets every process shares (tokens sealed by one are read by the others). */
  encryptionKey: string;
  demoToken: string;
  /** SIGKILLs one running worker, chosen by `random`, and starts a replacement. */
  killAWorker: (random: Random) => Promise<void>;
  /** Workers killed; workers that stopped at start-up (Postgres down); workers that died on their own. */
  killed: () => number;
  refusedToStart: () => number;
  crashed: () => string[];
  stop: () => Promise<void>;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const children: Child[] = [];
  const emulatorOptions: TikTokEmulatorOptions = {
    users: options.tiktokUsers.map((username) => ({ username, dailyPostCap: 10_000 })),
    processing: { baseMs: 1_000, moderationDelayMs: 2_000 },
    // TikTok keeps redelivering for 72 hours; a dozen attempts a second apart, doubling, outlast any restart here.
    webhooks: { maxAttempts: 12, retryBaseMs: 500, duplicates: 0, timeoutMs: 5_000 },
  };
  const configFile = join(tmpdir(), `reelpost-faults-emulator-${process.pid}-${options.seed}.json`);
  await writeFile(configFile, JSON.stringify(emulatorOptions));
  const tiktok = await startEmulatorProcess({ seed: `faults-${options.seed}-${Date.now()}`, configFile });
  children.push(tiktok.child);

  const port = await findFreePort();
  const serverUrl = `http://localhost:${port}`;
  const encryptionKey = generateFernetKey();
  const env: Record<string, string> = {
    DATABASE_URL: options.databaseUrl,
    REELPOST_DEMO: '1',
    // One demo user posts every video: the request limits stay on, above what the run sends.
    ...UNREACHED_RATE_LIMITS,
    PORT: String(port),
    PUBLIC_URL: serverUrl,
    LOG_LEVEL: 'warn',
    ENCRYPTION_KEY: encryptionKey,
    DEMO_JWT_SECRET: `faults-demo-secret-${options.seed}-0123456789abcdef`,
    TIKTOK_EMULATOR_URL: tiktok.url,
    WORKER_CONCURRENCY: '8',
    ...Object.fromEntries(Object.entries(FAULT_RUN_CLOCKS).map(([name, value]) => [name, String(value)])),
  };

  const server = startServer({ ...env, WORKER: 'off' });
  children.push(server);
  await server.line(/Reelpost is running at/);
  const [, demoToken] = await server.line(/Demo token: (\S+)/);

  const workers: Child[] = [];
  const running = new Set<Child>();
  const crashed: string[] = [];
  let killed = 0;
  let refusedToStart = 0;
  let stopping = false;
  const launch = async (): Promise<void> => {
    const worker = startWorker(env);
    children.push(worker);
    workers.push(worker);
    // A worker that dies by itself (not our SIGKILL) once running is a finding: note it. One that stops at start-up
    // because Postgres is down right then does what it is documented to do (one line, exit 1). Either way it is
    // replaced a moment later, as a supervisor (systemd, Kubernetes) would.
    void worker.exited.then(async ({ code, signal }) => {
      workers.splice(workers.indexOf(worker), 1);
      if (stopping || signal === 'SIGKILL') return;
      if (running.has(worker)) crashed.push(`worker exited with ${signal ?? `code ${code}`}:\n${worker.output().slice(-2_000)}`);
      else refusedToStart += 1;
      await sleep(500);
      if (!stopping) await launch();
    });
    await worker.line(/Reelpost worker running/).then(
      () => running.add(worker),
      () => undefined,
    );
  };
  await Promise.all(Array.from({ length: options.workers }, launch));

  return {
    serverUrl,
    emulator: connectTikTokEmulator(tiktok.url),
    encryptionKey,
    demoToken: demoToken!,
    killAWorker: async (random) => {
      // Only a worker that is up: killing replacements before they finish starting would starve the run of workers
      // altogether (a crash loop), which tests nothing but patience.
      const up = workers.filter((worker) => running.has(worker));
      const victim = up[Math.floor(random() * up.length)];
      if (!victim) return;
      victim.process.kill('SIGKILL');
      await victim.exited;
      killed += 1;
      // Not waited for: the other worker may be killed next while this one is still starting.
      void launch();
    },
    killed: () => killed,
    refusedToStart: () => refusedToStart,
    crashed: () => [...crashed],
    stop: async () => {
      stopping = true;
      // REELPOST_FAULT_LOGS=<dir> keeps every process's output (server, emulator, each worker) for a post-mortem.
      const logs = process.env.REELPOST_FAULT_LOGS;
      if (logs) {
        await mkdir(logs, { recursive: true });
        await Promise.all(children.map((child, i) => writeFile(join(logs, `${i}-${child.process.pid}.log`), child.output())));
      }
      for (const child of children.reverse()) {
        if (child.process.exitCode === null && child.process.signalCode === null) {
          child.process.kill('SIGKILL');
          await child.exited;
        }
      }
    },
  };
}
