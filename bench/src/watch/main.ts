// `pnpm bench:watch`, and the second half of `pnpm bench`: live status under load (issue 20). 1,000 watchers on one server across 100 users follow 100
// posts over GET /api/v1/tasks/{taskId}/post-events while the posts change (by SQL, as any writer does: the trigger
// announces it); every watcher must hear every change of its post once, in order. Prints the server's memory per
// open stream, the time from a change's commit to its arrival at the watchers, and the detail read's throughput on
// that server with no stream open and with the 1,000 open, beside the floor (the same SQL behind a bare server).
//
//   WATCH_USERS      users, one post each (default 100)
//   WATCH_PER_POST   watchers per post (default 10)
//   DATABASE_URL     use this Postgres server (a database of the benchmark's own) instead of an embedded one
//   BENCH_ONLY       set (`pnpm bench` profiling one procedure): this half is skipped
import { exitOnStartupFailure } from '@reelpost/db';
import { sql } from 'kysely';
import { z } from 'zod';
import { openBenchDatabase } from '../shared/bench-database.js';
import { createCleanup } from '../shared/cleanup.js';
import { describeMachine, loadAverage } from '../shared/machine.js';
import { writeResult } from '../shared/results.js';
import { sampleRss } from '../shared/rss.js';
import { startEmulatorProcess } from '../shared/emulator-process.js';
import { compiledDetailQuery, startFloorServer } from '../http/floor.js';
import { type LoadResult, runLoad } from '../http/load.js';
import { startReelpostServer } from '../http/reelpost-server.js';
import { tokensFor } from '../http/bench-data.js';
import { seedWatchedPosts } from './seed.js';
import { watch } from './watcher.js';

const options = z
  .object({
    WATCH_USERS: z.coerce.number().int().positive().default(100),
    WATCH_PER_POST: z.coerce.number().int().positive().default(10),
    BENCH_ONLY: z.string().optional(),
  })
  .parse(process.env);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
/** Seconds of each detail-read measurement (16 connections, REST). */
const DETAIL_SECONDS = 5;
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  if (options.BENCH_ONLY) {
    console.log('live status under load: skipped (BENCH_ONLY names the procedures to measure)');
    return;
  }
  const machine = describeMachine();
  console.log(`pnpm bench:watch — ${machine.cores} × ${machine.cpuModel}, Node ${machine.node}, load ${loadAverage()}`);
  const bench = await openBenchDatabase();
  const cleanup = createCleanup();
  cleanup.add(bench.close);
  try {
    const { db } = bench.database;
    const posts = await seedWatchedPosts(db, options.WATCH_USERS);
    const emulator = await startEmulatorProcess();
    cleanup.add(() => emulator.child.stop());
    const perUser = String(options.WATCH_PER_POST + 1);
    const server = await startReelpostServer({ ...bench.processEnv, TIKTOK_EMULATOR_URL: emulator.url, LIVE_STREAMS_PER_USER: perUser });
    cleanup.add(() => server.child.stop());
    const tokens = await tokensFor(server.url, posts.map((post) => ({ id: post.ownerId, email: post.email })));
    const floor = await startFloorServer({ databaseUrl: bench.database.url, poolSize: 10, query: compiledDetailQuery(db) });
    cleanup.add(() => floor.child.stop());
    let picked = 0;
    const pick = () => posts[picked++ % posts.length]!;
    const detailLoad = (): Promise<LoadResult> =>
      runLoad({ url: server.url, connections: 16, seconds: DETAIL_SECONDS, next: () => {
        const post = pick();
        return { path: `/api/v1/tasks/${post.taskId}/detail`, headers: { authorization: `Bearer ${tokens.get(post.ownerId)!}` } };
      } });
    const floorDetail = await runLoad({ url: floor.url, connections: 16, seconds: DETAIL_SECONDS, next: () => ({ path: `/detail/${pick().taskId}`, headers: {} }) });
    await detailLoad(); // warm-up: a cold server's first seconds would flatter the run with streams open
    const detailIdle = await detailLoad();
    await settle(500);
    const rss = sampleRss({ server: server.child.pid });
    const idle = rss.peaks().server ?? NaN;

    const watchers = posts.flatMap((post) =>
      Array.from({ length: options.WATCH_PER_POST }, () => ({ post, watcher: watch(`${server.url}/api/v1/tasks/${post.taskId}/post-events`, tokens.get(post.ownerId)!) })),
    );
    const opening = performance.now();
    await Promise.all(watchers.map(({ watcher }) => watcher.opened));
    console.log(`${watchers.length} streams open on one server in ${((performance.now() - opening) / 1000).toFixed(1)} s`);
    await settle(1_000);
    const open = rss.peaks().server ?? NaN;
    const detailWatched = await detailLoad();

    // Each post: PUBLISHED (no link yet), then its link: two changes, the second ends the streams.
    const committed = new Map<string, number[]>();
    for (const post of posts) {
      const times: number[] = [];
      await sql`UPDATE tiktok_posts SET status = 'PUBLISHED', updated_at = now() WHERE id = ${post.postId}`.execute(db);
      times.push(performance.now());
      committed.set(post.postId, times);
    }
    for (const post of posts) {
      await sql`UPDATE tiktok_posts SET public_url = 'https://www.tiktok.com/@creator', updated_at = now() WHERE id = ${post.postId}`.execute(db);
      committed.get(post.postId)!.push(performance.now());
    }
    const results = await Promise.allSettled(watchers.map(({ watcher }) => watcher.done));
    rss.stop();
    const peak = rss.peaks().server ?? NaN;

    const failed = results.filter((result) => result.status === 'rejected');
    const wrong = watchers.filter(({ watcher }) => watcher.seqs.join(',') !== '0,1,2');
    const latencies = watchers.flatMap(({ post, watcher }) => watcher.arrivals.slice(1).map((at, index) => at - committed.get(post.postId)![index]!));
    const perStreamKiB = ((open - idle) * 1024) / watchers.length;
    const summary = {
      watchers: watchers.length,
      posts: posts.length,
      users: posts.length,
      eventsExpected: watchers.length * 3,
      eventsReceived: watchers.reduce((sum, { watcher }) => sum + watcher.seqs.length, 0),
      streamsFailed: failed.length,
      streamsWithLossDuplicateOrDisorder: wrong.length,
      rssMiB: { idle, open, peak },
      rssKiBPerStream: perStreamKiB,
      commitToArrivalMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) },
      detailReadsPerSecond: { floor: floorDetail.perSecond, noStreams: detailIdle.perSecond, streamsOpen: detailWatched.perSecond },
    };
    console.log(
      `events: ${summary.eventsReceived} of ${summary.eventsExpected}; streams failed ${summary.streamsFailed}; with loss, duplicate or disorder ${summary.streamsWithLossDuplicateOrDisorder}\n` +
        `server RSS: ${idle.toFixed(1)} MiB idle, ${open.toFixed(1)} MiB with ${watchers.length} streams open (${perStreamKiB.toFixed(1)} KiB per stream), peak ${peak.toFixed(1)} MiB\n` +
        `commit → watcher: p50 ${summary.commitToArrivalMs.p50.toFixed(1)} ms, p99 ${summary.commitToArrivalMs.p99.toFixed(1)} ms, max ${summary.commitToArrivalMs.max.toFixed(1)} ms\n` +
        `GET /tasks/{id}/detail, 16 connections: floor ${floorDetail.perSecond.toFixed(0)} req/s; server ${detailIdle.perSecond.toFixed(0)} req/s with no stream, ` +
        `${detailWatched.perSecond.toFixed(0)} req/s with ${watchers.length} streams open (p99 ${detailIdle.p99Ms.toFixed(1)} → ${detailWatched.p99Ms.toFixed(1)} ms; failures ${detailIdle.failures + detailWatched.failures})`,
    );
    for (const result of failed.slice(0, 3)) console.log(`  ${String(result.reason)}`);
    console.log(`results: ${writeResult('watch-latest', { at: new Date().toISOString(), machine, settings: options, ...summary })}`);
    if (failed.length > 0 || wrong.length > 0 || detailIdle.failures + detailWatched.failures > 0) process.exitCode = 1;
  } finally {
    await cleanup.run();
  }
}

await main().catch(exitOnStartupFailure);
process.exit(process.exitCode);
