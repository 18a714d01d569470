// `pnpm bench:scale`: 10,000 scheduled posts over 500 TikTok accounts, drained by two worker processes against the
// standalone emulator, with TikTok's per-token window (shortened on request). See docs/benchmarks.md.
//
//   BENCH_SCALE_ACCOUNTS           TikTok accounts (default 500)
//   BENCH_SCALE_POSTS_PER_ACCOUNT  posts each (default 20)
//   BENCH_SCALE_WINDOW_MS          TikTok's per-token window (default 60000, TikTok's own; shorten it for quicker runs)
//   BENCH_SCALE_WORKERS            worker processes (default 2)
//   BENCH_SCALE_CONCURRENCY        WORKER_CONCURRENCY of each (default 4, the product's default)
//   BENCH_SCALE_TIMEOUT_S          give up after this long (default 900)
//   BENCH_SCALE_PHOTO_SHARE        share of the posts that are photo posts of the demo's 3 JPEGs (0–1, default 0),
//                                  spread evenly; each must still cost exactly 1 init (content/init for photos)
//   BENCH_CPU_PROF                 1: run the workers and the server with --cpu-prof and print where their time went
//   DATABASE_URL                   use this Postgres server (a database of the benchmark's own)
import { exitOnStartupFailure } from '@reelpost/db';
import { randomBytes } from 'node:crypto';
import { generateFernetKey } from '@reelpost/api';
import { z } from 'zod';
import { startReelpostServer } from '../http/reelpost-server.js';
import { openBenchDatabase } from '../shared/bench-database.js';
import { meterCpu } from '../shared/cpu.js';
import { createCleanup } from '../shared/cleanup.js';
import { describeMachine, loadAverage } from '../shared/machine.js';
import { RESULTS_DIR, writeResult } from '../shared/results.js';
import { summariseCpuProfiles } from '../shared/profile-summary.js';
import { sampleRss } from '../shared/rss.js';
import { type Goal, goalsTable, markdownTable } from '../shared/table.js';
import { connectAccounts } from './accounts.js';
import { startEmulatorProcess } from '../shared/emulator-process.js';
import { drainProgress, sampleConnections } from './monitor.js';
import { makeDue, schedulePosts } from './schedule-posts.js';
import { theoreticalMinimumMs } from './theoretical-minimum.js';
import { startWorkers } from './worker-processes.js';

const options = z
  .object({
    BENCH_SCALE_ACCOUNTS: z.coerce.number().int().positive().default(500),
    BENCH_SCALE_POSTS_PER_ACCOUNT: z.coerce.number().int().positive().default(20),
    BENCH_SCALE_WINDOW_MS: z.coerce.number().int().min(1_000).max(60_000).default(60_000),
    BENCH_SCALE_WORKERS: z.coerce.number().int().positive().default(2),
    BENCH_SCALE_CONCURRENCY: z.coerce.number().int().positive().default(4),
    BENCH_SCALE_TIMEOUT_S: z.coerce.number().positive().default(900),
    BENCH_SCALE_PHOTO_SHARE: z.coerce.number().min(0).max(1).default(0),
    BENCH_CPU_PROF: z.enum(['0', '1']).default('0'),
  })
  .parse(process.env);

/** The posts are made due this long after they are written, so the drain starts on the clock. */
const LEAD_MS = 2_000;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const machine = describeMachine();
  const posts = options.BENCH_SCALE_ACCOUNTS * options.BENCH_SCALE_POSTS_PER_ACCOUNT;
  console.log(`pnpm bench:scale — ${machine.cores} × ${machine.cpuModel}, Node ${machine.node}, load ${loadAverage()}`);
  console.log(
    `${posts} posts over ${options.BENCH_SCALE_ACCOUNTS} accounts, ${options.BENCH_SCALE_WORKERS} workers × concurrency ${options.BENCH_SCALE_CONCURRENCY}, ` +
      `TikTok window ${seconds(options.BENCH_SCALE_WINDOW_MS)}`,
  );
  const bench = await openBenchDatabase({ pool: 4 });
  const cleanup = createCleanup();
  cleanup.add(bench.close);
  try {
    const emulator = await startEmulatorProcess({ windowMs: options.BENCH_SCALE_WINDOW_MS });
    cleanup.add(() => emulator.child.stop());
    const encryptionKey = generateFernetKey();
    const env = {
      ...bench.processEnv,
      TIKTOK_EMULATOR_URL: emulator.url,
      TIKTOK_RATE_LIMIT_WINDOW_MS: String(options.BENCH_SCALE_WINDOW_MS),
      ENCRYPTION_KEY: encryptionKey,
      DEMO_JWT_SECRET: randomBytes(32).toString('base64url'),
    };
    const profileDir = options.BENCH_CPU_PROF === '1' ? `${RESULTS_DIR}/profiles/scale-${Date.now()}` : undefined;
    // One server (WORKER=off): it serves the video TikTok pulls and receives TikTok's webhooks.
    const server = await startReelpostServer(env, profileDir ? { cpuProfileDir: `${profileDir}/server` } : {});
    cleanup.add(() => server.child.stop());
    const workers = await startWorkers(
      options.BENCH_SCALE_WORKERS,
      { ...env, PUBLIC_URL: server.publicUrl, WORKER_CONCURRENCY: String(options.BENCH_SCALE_CONCURRENCY) },
      profileDir ? { cpuProfileDir: `${profileDir}/workers` } : {},
    );
    for (const worker of workers) cleanup.add(() => worker.stop());

    // After the processes started: demo mode connects every emulator user it finds at start-up to the demo user.
    const seeding = performance.now();
    const { userId, accounts } = await connectAccounts(bench.database, emulator.controls, {
      count: options.BENCH_SCALE_ACCOUNTS,
      postsPerAccount: options.BENCH_SCALE_POSTS_PER_ACCOUNT,
      encryptionKey,
    });
    const scheduled = await schedulePosts(bench.database, {
      userId,
      accounts,
      postsPerAccount: options.BENCH_SCALE_POSTS_PER_ACCOUNT,
      videoUrl: `${server.publicUrl}/demo-media/sample-360x640-4s.mp4`,
      photoShare: options.BENCH_SCALE_PHOTO_SHARE,
      photoUrls: [1, 2, 3].map((n) => `${server.publicUrl}/demo-media/carousel-${n}.jpg`),
    });
    const seeded = performance.now() - seeding;
    const due = new Date(Date.now() + LEAD_MS);
    await makeDue(bench.database, scheduled, due);
    console.log(`connected ${accounts.length} accounts and scheduled ${posts} posts in ${seconds(seeded)}; due ${due.toISOString()}`);

    const connections = sampleConnections(bench.database);
    const pids = Object.fromEntries([
      ['server', server.child.pid],
      ['emulator', emulator.child.pid],
      ...workers.map((worker) => [worker.name, worker.pid] as const),
    ]);
    const rss = sampleRss(pids);
    const cpu = meterCpu(pids, bench.postgresDataDir);
    const deadline = Date.now() + options.BENCH_SCALE_TIMEOUT_S * 1000;
    let progress = await drainProgress(bench.database, userId);
    let lastPrint = 0;
    while (progress.final < progress.total && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      progress = await drainProgress(bench.database, userId);
      if (Date.now() - lastPrint > 5_000) {
        lastPrint = Date.now();
        console.log(
          `  +${seconds(Date.now() - due.getTime())}: sent ${progress.initiated}, accepted ${progress.accepted}, final ${progress.final} ` +
            `(${progress.failed} failed); load ${loadAverage()}`,
        );
      }
    }
    const finishedAt = Date.now();
    await connections.stop();
    rss.stop();
    const peakConnections = connections.peak();
    const peakRss = rss.peaks();
    const cpuSeconds = cpu.used();

    const { calls, callLog } = emulator.controls;
    const [videoInits, photoInits, creatorInfos, statuses, tokenCalls, log] = await Promise.all([
      calls({ endpoint: 'video.init' }),
      calls({ endpoint: 'content.init' }),
      calls({ endpoint: 'creator_info.query' }),
      calls({ endpoint: 'status.fetch' }),
      calls({ endpoint: 'oauth.token' }),
      callLog(),
    ]);
    const tooMany = log.filter((call) => call.httpStatus === 429).length;
    const inits = videoInits + photoInits;

    const minimumMs = theoreticalMinimumMs(options.BENCH_SCALE_POSTS_PER_ACCOUNT, options.BENCH_SCALE_WINDOW_MS);
    // What this machine's cores allow: the CPU every process used for the drain, spread over all cores at once.
    const cpuTotal = Object.values(cpuSeconds).reduce<number>((sum, used) => sum + (used ?? 0), 0);
    const machineBoundMs = (cpuTotal / machine.cores) * 1000;
    const drainMs = progress.lastInitiatedAt ? progress.lastInitiatedAt.getTime() - due.getTime() : Number.NaN;
    const allFinalMs = progress.final === progress.total ? finishedAt - due.getTime() : Number.NaN;
    const perPost = (count: number) => (count / posts).toFixed(3);
    const connectionsByApp = Object.entries(peakConnections.byApplication)
      .map(([app, count]) => `${app} ${count}`)
      .join(', ');
    const rows: [string, string][] = [
      ['posts / accounts', `${posts} / ${accounts.length}`],
      ['workers × concurrency', `${options.BENCH_SCALE_WORKERS} × ${options.BENCH_SCALE_CONCURRENCY}`],
      [options.BENCH_SCALE_WINDOW_MS === 60_000 ? 'TikTok window (TikTok’s own)' : 'TikTok window (shortened)', seconds(options.BENCH_SCALE_WINDOW_MS)],
      ['theoretical minimum drain', seconds(minimumMs)],
      ['CPU-bound minimum here (CPU used ÷ cores)', seconds(machineBoundMs)],
      ['drain: last init sent', `${seconds(drainMs)} (${(drainMs / minimumMs).toFixed(2)}× minimum)`],
      ['all posts final (webhooks, polls)', seconds(allFinalMs)],
      ['photo posts (content/init) / video posts', `${scheduled.photoPosts} / ${posts - scheduled.photoPosts}`],
      ['TikTok inits per post', perPost(inits)],
      ['creator_info calls per post', perPost(creatorInfos)],
      ['status calls per post', perPost(statuses)],
      ['token calls (refreshes)', String(tokenCalls)],
      ['429s received from TikTok', String(tooMany)],
      ['posts failed or unknown', String(progress.failed)],
      ['peak database connections', `${peakConnections.total} (${connectionsByApp})`],
      [
        'CPU per post (drain)',
        Object.entries(cpuSeconds)
          .map(([name, used]) => `${name} ${used === null ? '?' : ((used * 1000) / posts).toFixed(2)} ms`)
          .join(', '),
      ],
      ['peak RSS', Object.entries(peakRss).map(([name, mib]) => `${name} ${mib?.toFixed(0) ?? '?'} MiB`).join(', ')],
      ['load average at the end', loadAverage()],
    ];
    const goals: Goal[] = [
      { goal: 'drain ≤ 1.5× the theoretical minimum', measured: `${(drainMs / minimumMs).toFixed(2)}×`, pass: drainMs <= 1.5 * minimumMs },
      {
        goal: 'exactly 1 TikTok init per post, of its kind',
        measured: `${perPost(inits)} (photo ${photoInits} of ${scheduled.photoPosts})`,
        pass: videoInits === posts - scheduled.photoPosts && photoInits === scheduled.photoPosts,
      },
      { goal: 'no 429 from TikTok', measured: String(tooMany), pass: tooMany === 0 },
      { goal: 'every post published', measured: `${progress.final - progress.failed} of ${posts}`, pass: progress.final === posts && progress.failed === 0 },
    ];
    console.log(`\n${markdownTable(['measure', 'value'], rows)}\n\n${goalsTable(goals)}\n`);
    if (profileDir) {
      for (const worker of workers) await worker.stop();
      await server.child.stop();
      for (const [part, whose] of [['workers', "workers'"], ['server', "server's"]]) {
        console.log(`Where the ${whose} CPU time went (self time, ${profileDir}/${part}):\n${summariseCpuProfiles(`${profileDir}/${part}`)}\n`);
      }
    }
    const file = writeResult('scale-latest', {
      at: new Date().toISOString(),
      machine: { ...machine, loadAtEnd: loadAverage(), database: bench.where },
      settings: options,
      minimumMs,
      machineBoundMs,
      drainMs,
      allFinalMs,
      calls: { inits, photoInits, creatorInfos, statuses, tokenCalls, tooMany },
      progress,
      peakConnections,
      peakRssMiB: peakRss,
      cpuSeconds,
      goals,
    });
    console.log(`results: ${file}`);
    if (!goals.every((goal) => goal.pass)) process.exitCode = 1;
  } finally {
    await cleanup.run();
  }
}

await main().catch(exitOnStartupFailure);
// End now (pools and timers may keep the loop alive), with the exit code that says whether a request failed or a
// goal was missed.
process.exit(process.exitCode);
