// `pnpm --filter @reelpost/api bench`: tasks.detail under load, through createCaller (the HTTP stack comes later).
//
// Seeds a fresh database (10,000 tasks, 100,000 media rows, 20-step logs), then calls tasks.detail on random tasks
// as their owners, at concurrency 1, 16 and 64, and prints req/s, p50 and p99 per level. With DATABASE_URL it
// creates (and drops) a database of its own on that server; without, it runs an embedded Postgres in a temp folder.
//
//   BENCH_SECONDS   seconds measured per concurrency level (default 10; each level also stops at 200,000 calls)
//   BENCH_POOL      connection pool size (default 10, the server's default)
import {
  createDatabase,
  openDatabase,
  type OpenedDatabase,
  parseDatabaseUrl,
  redactDatabaseUrl,
  withDatabaseName,
} from '@reelpost/db';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createCaller } from '../src/root.js';
import { selectTaskDetail } from '../src/tasks/service.js';
import { explain } from './explain.js';
import { BENCH_SIZE, type SeededTask, seedTaskLoad } from './seed.js';
import { contextFor, testDeps } from '../test/deps.js';

const CONCURRENCY_LEVELS = [1, 16, 64];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const POOL = Number(process.env.BENCH_POOL ?? 10);
const MAX_CALLS_PER_LEVEL = 200_000;
const WARM_UP_CALLS = 2_000;

/** CREATE / DROP DATABASE, which cannot run in the database they name. */
async function runOnServer(url: string, statement: string) {
  const admin = createDatabase({ url, max: 1, applicationName: 'reelpost-bench' });
  try {
    await sql.raw(statement).execute(admin.db);
  } finally {
    await admin.close();
  }
}

/** A fresh database: on DATABASE_URL's server when set (dropped afterwards), else an embedded server in a temp dir. */
async function openBenchDatabase(): Promise<{ database: OpenedDatabase; where: string; close: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `reelpost_bench_${randomBytes(4).toString('hex')}`;
    const admin = parseDatabaseUrl(serverUrl).toString();
    await runOnServer(admin, `CREATE DATABASE ${name}`);
    const database = await openDatabase({ databaseUrl: withDatabaseName(admin, name), max: POOL, applicationName: 'reelpost-bench' });
    return {
      database,
      where: `database ${name} on ${redactDatabaseUrl(admin)}`,
      close: async () => {
        await database.shutdown();
        await runOnServer(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'reelpost-bench-pg-'));
  const database = await openDatabase({ dataDir, max: POOL, applicationName: 'reelpost-bench' });
  return {
    database,
    where: `embedded Postgres in ${dataDir}`,
    close: async () => {
      await database.shutdown();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A small deterministic PRNG (mulberry32), so every run asks for the same tasks in the same order. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface LevelResult {
  concurrency: number;
  calls: number;
  failures: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** This process's CPU time per call (tRPC, Kysely, pg, normalising), in microseconds; the rest is Postgres. */
  nodeCpuMicros: number;
}

async function measure(
  db: OpenedDatabase['db'],
  tasks: SeededTask[],
  concurrency: number,
  { seconds, maxCalls, seed }: { seconds: number; maxCalls: number; seed: number },
): Promise<LevelResult> {
  const next = random(seed);
  const deps = testDeps(db);
  const latencies: number[] = [];
  let started = 0;
  let failures = 0;
  const cpuBefore = process.cpuUsage();
  const begin = performance.now();
  const deadline = begin + seconds * 1000;
  const worker = async () => {
    while (started < maxCalls && performance.now() < deadline) {
      started++;
      const task = tasks[Math.floor(next() * tasks.length)];
      if (!task) continue;
      // A context per call, as the server builds one per request.
      const caller = createCaller(contextFor(deps, { userId: task.ownerId, sub: `bench-${task.ownerId}`, email: null, actor: 'user' }));
      const t0 = performance.now();
      try {
        await caller.tasks.detail({ taskId: task.id });
        latencies.push(performance.now() - t0);
      } catch (error) {
        failures++;
        if (failures === 1) console.error('tasks.detail failed:', error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - begin) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    calls: latencies.length,
    failures,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    nodeCpuMicros: (cpu.user + cpu.system) / Math.max(1, latencies.length),
  };
}

function table(results: LevelResult[]): string {
  const header = ['concurrency', 'calls', 'failures', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'node CPU µs/call'];
  const rows = results.map((r) => [
    String(r.concurrency),
    String(r.calls),
    String(r.failures),
    r.perSecond.toFixed(0),
    r.p50.toFixed(2),
    r.p99.toFixed(2),
    r.max.toFixed(2),
    r.nodeCpuMicros.toFixed(0),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main() {
  const { database, where, close } = await openBenchDatabase();
  try {
    const { db } = database;
    const version = await db.selectNoFrom((eb) => eb.fn<string>('version').as('v')).executeTakeFirstOrThrow();
    console.log(`tasks.detail via createCaller — ${where}`);
    console.log(`${version.v.split(',')[0]}; Node ${process.version}; ${availableParallelism()} × ${cpus()[0]?.model ?? 'CPU'}; pool ${POOL}`);

    const seedStart = performance.now();
    const tasks = await seedTaskLoad(db, BENCH_SIZE);
    const counts = await db
      .selectNoFrom((eb) => [
        eb.selectFrom('instance_tasks').select(eb.fn.countAll<string>().as('n')).as('tasks'),
        eb.selectFrom('instance_media').select(eb.fn.countAll<string>().as('n')).as('media'),
        eb.selectFrom('tiktok_posts').select(eb.fn.countAll<string>().as('n')).as('posts'),
      ])
      .executeTakeFirstOrThrow();
    console.log(
      `seeded ${counts.tasks} tasks, ${counts.media} media rows, ${counts.posts} posts, ` +
        `${BENCH_SIZE.logSteps}-step logs in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
    );

    const sample = tasks[Math.floor(tasks.length / 2)];
    if (sample) {
      const plan = await explain(db, selectTaskDetail(db, sample.id), { analyze: true });
      console.log(`\nEXPLAIN ANALYZE of the detail query (enable_seqscan untouched):\n${plan.text}\n`);
    }

    await measure(db, tasks, 16, { seconds: SECONDS, maxCalls: WARM_UP_CALLS, seed: 1 });
    const results: LevelResult[] = [];
    for (const concurrency of CONCURRENCY_LEVELS) {
      results.push(await measure(db, tasks, concurrency, { seconds: SECONDS, maxCalls: MAX_CALLS_PER_LEVEL, seed: concurrency }));
    }
    console.log(table(results));
    const at16 = results.find((r) => r.concurrency === 16);
    if (at16) console.log(`\ngoal p99 < 20 ms at concurrency 16: ${at16.p99 < 20 ? 'met' : 'NOT met'} (${at16.p99.toFixed(2)} ms)`);
    if (results.some((r) => r.failures > 0)) process.exitCode = 1;
  } finally {
    await close();
  }
}

await main();
