// `pnpm bench`: the real server under HTTP load, beside the floor. See docs/benchmarks.md.
//
//   BENCH_SECONDS          seconds measured per procedure and concurrency (default 10)
//   BENCH_WARMUP_SECONDS   unmeasured seconds before each (default 2)
//   BENCH_SLICES           rows compared with each other (tracing, rate limits on and off) take their measured seconds
//                          in this many turns, one after the other (default 5)
//   BENCH_POOL             DATABASE_POOL_SIZE of the server, and the floor's pool (default 10, the server's default)
//   BENCH_CPU_PROF         1: run the server with --cpu-prof and print where its time went
//   BENCH_GC               1: run the servers with --trace-gc-nvp and print each row's garbage collection per request
//                          and what survived each young-generation collection
//   BENCH_CONCURRENCY      the connection counts measured, comma-separated (default 1,16,64)
//   BENCH_ONLY             measure only the procedures whose "name surface" matches this regular expression (and
//                          the floor), e.g. BENCH_ONLY='detail tRPC' to profile one path
//   BENCH_NODE             path to another `node` to run the servers, the floor and the emulator with (e.g. Node 24)
//   BENCH_BASELINE_SERVER  another build's apps/server/dist/main.js for the switch rows' baseline server (e.g. main's,
//                          built in a worktree): the switch rows then compare this build with that one
//   BENCH_BASELINE_TRACED  1: the baseline server traces too, to the same collector stub: "tracing on costs" then
//                          reads as this build's traced read against that one's (alone: an A/A run, the method's own
//                          spread; docs/benchmarks.md gives it)
//   DATABASE_URL           use this Postgres server (a database of the benchmark's own) instead of an embedded one
import { exitOnStartupFailure } from '@reelpost/db';
import { z } from 'zod';
import { openBenchDatabase } from '../shared/bench-database.js';
import { meterCpu } from '../shared/cpu.js';
import { type GcRow, type GcSpan, gcSpanOf, gcTable, TRACE_GC_FLAG } from '../shared/gc.js';
import { createCleanup } from '../shared/cleanup.js';
import { describeMachine, loadAverage } from '../shared/machine.js';
import { logFile, RESULTS_DIR, writeResult } from '../shared/results.js';
import { sampleRss } from '../shared/rss.js';
import { goalsTable } from '../shared/table.js';
import { seedBenchData, tokensFor } from './bench-data.js';
import { checkDetailPlan } from './explain-check.js';
import { compiledDetailQuery, startFloorServer, startStackFloorServer } from './floor.js';
import { evaluateGoals, rateLimitGoals, tracingGoals } from './goals.js';
import { type LoadSlice, loadSlice, runLoad, summariseSlices } from './load.js';
import { summariseCpuProfiles } from '../shared/profile-summary.js';
import { stepsTable } from '../shared/profile-steps.js';
import { startReelpostServer } from './reelpost-server.js';
import { startEmulatorProcess } from '../shared/emulator-process.js';
import { type Measurement, measurementsTable, stackCalibration } from './report.js';
import { benchTargets, type Target } from './targets.js';
import { startCollectorStub } from './collector-stub.js';

/** A knob that is on when set to 1. */
const onOffSwitch = z
  .enum(['0', '1'])
  .default('0')
  .transform((value) => value === '1');

const options = z
  .object({
    BENCH_SECONDS: z.coerce.number().positive().default(10),
    BENCH_WARMUP_SECONDS: z.coerce.number().nonnegative().default(2),
    BENCH_SLICES: z.coerce.number().int().positive().default(5),
    BENCH_POOL: z.coerce.number().int().positive().default(10),
    BENCH_CPU_PROF: z.enum(['0', '1']).default('0'),
    BENCH_GC: onOffSwitch,
    // Profiling one level (e.g. BENCH_CONCURRENCY=64 with BENCH_CPU_PROF=1) keeps the other levels out of the profile.
    BENCH_CONCURRENCY: z
      .string()
      .default('1,16,64')
      .transform((list) => list.split(',').map(Number))
      .pipe(z.array(z.number().int().positive()).min(1)),
    BENCH_ONLY: z
      .string()
      .optional()
      .transform((pattern) => (pattern ? new RegExp(pattern) : undefined)),
    BENCH_BASELINE_SERVER: z.string().min(1).optional(),
    BENCH_BASELINE_TRACED: onOffSwitch,
  })
  .parse(process.env);

/** One row's slices at one concurrency, and the CPU seconds its process and Postgres used in them (null: unknown). */
interface TargetRun {
  slices: LoadSlice[];
  process: number | null;
  postgres: number | null;
  /** BENCH_GC: when its process was measured, to find the collections it logged then. */
  gcSpans: GcSpan[];
  load: string;
}

/** The targets in order, those of one comparison group (consecutive) together: each block is measured on its own. */
function blocksOf(targets: readonly Target[]): Target[][] {
  const blocks: Target[][] = [];
  for (const target of targets) {
    const last = blocks.at(-1);
    if (last && target.group !== undefined && last[0]!.group === target.group) last.push(target);
    else blocks.push([target]);
  }
  return blocks;
}

const addCpu = (total: number | null, used: number | null | undefined): number | null => (total === null || used === null || used === undefined ? null : total + used);

async function main(): Promise<void> {
  const machine = describeMachine();
  console.log(`pnpm bench — ${machine.cores} × ${machine.cpuModel}, Node ${machine.node}, load ${loadAverage()}`);
  const bench = await openBenchDatabase();
  const cleanup = createCleanup();
  cleanup.add(bench.close);
  try {
    const { db } = bench.database;
    const seeding = performance.now();
    const data = await seedBenchData(bench.database);
    const postgres = (await db.selectNoFrom((eb) => eb.fn<string>('version').as('v')).executeTakeFirstOrThrow()).v.split(',')[0] ?? '';
    console.log(
      `${bench.where}; ${postgres}\nseeded ${data.counts.tasks} tasks, ${data.counts.media} media rows, ${data.counts.posts} posts, ` +
        `20-step logs in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
    );
    const sample = data.tasks[Math.floor(data.tasks.length / 2)]!;
    const explained = await checkDetailPlan(db, sample.id);
    console.log(`\nEXPLAIN ANALYZE of the detail query:\n${explained.plan}\n`);

    const profileDir = options.BENCH_CPU_PROF === '1' ? `${RESULTS_DIR}/profiles/${Date.now()}` : undefined;
    // TikTok runs elsewhere, as it does for a deployed server: the server's memory is its own, not an emulator's.
    const emulator = await startEmulatorProcess();
    cleanup.add(() => emulator.child.stop());
    // What every server under test is started with; the switches add to it.
    const serverEnv = { ...bench.processEnv, DATABASE_POOL_SIZE: String(options.BENCH_POOL), TIKTOK_EMULATOR_URL: emulator.url };
    const traceGc = options.BENCH_GC;
    const server = await startReelpostServer(serverEnv, { traceGc, ...(profileDir && { cpuProfileDir: `${profileDir}/server` }) });
    cleanup.add(() => server.child.stop());
    // The same server with tracing on, exporting over OTLP to a local collector stub: the cost of tracing, measured
    // in the same run as the server without it (whose OpenTelemetry API stays a no-op) and the floor.
    const collector = await startCollectorStub();
    cleanup.add(collector.close);
    const traced = await startReelpostServer(
      { ...serverEnv, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
      { name: 'server-traced', traceGc, ...(profileDir && { cpuProfileDir: `${profileDir}/server-traced` }) },
    );
    cleanup.add(() => traced.child.stop());
    // The same server with the request rate limits off: what counting every request in Postgres costs.
    const unlimited = await startReelpostServer(
      { ...serverEnv, RATE_LIMITS: 'off' },
      { name: 'server-unlimited', traceGc },
    );
    cleanup.add(() => unlimited.child.stop());
    // The server once more, as configured, for the detail read beside the two switches only (targets.ts).
    const baseline = await startReelpostServer(
      { ...serverEnv, ...(options.BENCH_BASELINE_TRACED && { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }) },
      {
        name: 'server-baseline',
        traceGc,
        ...(options.BENCH_BASELINE_SERVER && { entry: options.BENCH_BASELINE_SERVER }),
        ...(profileDir && { cpuProfileDir: `${profileDir}/server-baseline` }),
      },
    );
    if (options.BENCH_BASELINE_SERVER || options.BENCH_BASELINE_TRACED) {
      const tracing = options.BENCH_BASELINE_TRACED ? ', tracing on' : '';
      console.log(`switch rows' baseline: ${options.BENCH_BASELINE_SERVER ?? 'this build'}${tracing} (BENCH_BASELINE_*)`);
    }
    cleanup.add(() => baseline.child.stop());
    const floorOptions = { databaseUrl: bench.database.url, poolSize: options.BENCH_POOL, query: compiledDetailQuery(db) };
    const floor = await startFloorServer(floorOptions);
    cleanup.add(() => floor.child.stop());
    const stack = await startStackFloorServer(floorOptions);
    cleanup.add(() => stack.child.stop());
    console.log(`server ${server.url} (pid ${server.child.pid}, log ${logFile('server')}); floor ${floor.url} (pid ${floor.child.pid})`);

    const targets = benchTargets(data, await tokensFor(server.url, data.owners)).filter(
      (target) => target.on === 'floor' || !options.BENCH_ONLY || options.BENCH_ONLY.test(`${target.name} ${target.surface}`),
    );
    const rss = sampleRss({ server: server.child.pid, traced: traced.child.pid, floor: floor.child.pid });
    const answering = { server, traced, unlimited, baseline, floor, stack } as const;
    const measurements: Measurement[] = [];
    const collections: GcRow[] = [];
    // Every process answers its own first requests slowly (code not yet optimised, pool connections and their
    // prepared statements not yet made): each is warmed up before anything is measured, so the first rows of the
    // table (c=1) do not compare a cold server with warm ones.
    if (options.BENCH_WARMUP_SECONDS > 0) {
      for (const target of targets) {
        await runLoad({ url: answering[target.on].url, connections: 16, seconds: options.BENCH_WARMUP_SECONDS, next: target.next });
      }
    }
    for (const connections of options.BENCH_CONCURRENCY) {
      for (const block of blocksOf(targets)) {
        const runs: TargetRun[] = block.map(() => ({ slices: [], process: 0, postgres: 0, gcSpans: [], load: '' }));
        for (const target of block) {
          if (options.BENCH_WARMUP_SECONDS > 0) await runLoad({ url: answering[target.on].url, connections, seconds: options.BENCH_WARMUP_SECONDS, next: target.next });
        }
        // A row measured alone takes its seconds in one run; rows compared with each other (a switch on and off) take
        // theirs in slices, in turn (the order reversed every other round), so what changes on the machine over those
        // seconds — another tenant of the VM, a checkpoint — falls on both alike. Each waits only a few seconds for
        // its turn: its pooled connections stay open and its heap stays grown.
        const slices = block.length === 1 ? 1 : options.BENCH_SLICES;
        for (let slice = 0; slice < slices; slice++) {
          const order = block.map((_, index) => index);
          if (slice % 2 === 1) order.reverse();
          for (const index of order) {
            const target = block[index]!;
            const run = runs[index]!;
            if (slice === 0) run.load = loadAverage();
            const answerer = answering[target.on];
            const cpu = meterCpu({ process: answerer.child.pid }, bench.postgresDataDir);
            const gc = traceGc && target.on !== 'floor' && target.on !== 'stack' ? gcSpanOf(answerer.child) : undefined;
            run.slices.push(await loadSlice({ url: answerer.url, connections, seconds: options.BENCH_SECONDS / slices, next: target.next }));
            const used = cpu.used();
            run.process = addCpu(run.process, used.process);
            run.postgres = addCpu(run.postgres, used.postgres);
            if (gc) run.gcSpans.push(gc.stop());
          }
        }
        block.forEach((target, index) => {
          const run = runs[index]!;
          const result = summariseSlices(connections, run.slices);
          const perRequest = (seconds: number | null) => (seconds === null ? null : (seconds * 1e6) / Math.max(1, result.requests));
          measurements.push({
            name: target.name,
            surface: target.surface,
            load: run.load,
            cpuMicrosPerRequest: { process: perRequest(run.process), postgres: perRequest(run.postgres) },
            ...result,
          });
          console.log(`  ${target.name} ${target.surface} c=${connections}: ${result.perSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${result.failures} failed (load ${run.load})`);
          if (run.gcSpans.length > 0) {
            collections.push({ name: `${target.name} ${target.surface}`, connections, requests: result.requests, logFile: answering[target.on].child.logFile, spans: run.gcSpans });
          }
        });
      }
    }
    rss.stop();
    const peaks = rss.peaks();
    await server.child.stop();
    // Stopping flushes the spans still batched: the stub's count then covers the whole run.
    await traced.child.stop();
    await unlimited.child.stop();
    await baseline.child.stop();
    await floor.child.stop();
    await stack.child.stop();
    const exported = collector.received();

    const goals = [...evaluateGoals(measurements, peaks.server ?? null), ...tracingGoals(measurements, exported.requests), ...rateLimitGoals(measurements), explained.goal];
    const table = measurementsTable(measurements);
    const rssLine =
      `peak RSS under load: server ${peaks.server?.toFixed(1) ?? '?'} MiB, server with tracing ${peaks.traced?.toFixed(1) ?? '?'} MiB, ` +
      `floor ${peaks.floor?.toFixed(1) ?? '?'} MiB\nspans exported by the traced server: ${exported.requests} OTLP requests, ${(exported.bytes / 1_048_576).toFixed(1)} MiB`;
    const calibration = stackCalibration(measurements);
    console.log(`\n${table}\n\n${rssLine}\n${calibration ? `${calibration}\n` : ''}\n${goalsTable(goals)}\n`);
    if (collections.length > 0) console.log(`Garbage collection in the measured slices (${TRACE_GC_FLAG}, main-thread pauses):\n${gcTable(collections)}\n`);
    if (profileDir) {
      // The baseline answers the switch rows beside the traced server: their two profiles compare like for like.
      for (const which of ['server', 'server-traced', 'server-baseline']) {
        console.log(`Where the ${which}'s CPU time went (self time, ${profileDir}/${which}):\n${summariseCpuProfiles(`${profileDir}/${which}`)}\n`);
      }
      // µs per step need one procedure's CPU per request: with several measured, the shares are of all of them.
      const onServer = measurements.filter((m) => m.connections === 16 && targets.some((t) => t.on === 'server' && t.name === m.name && t.surface === m.surface));
      const one = onServer.length === 1 ? onServer[0] : undefined;
      console.log(
        `Where the server's time went, by step (${one ? `${one.name} ${one.surface}, CPU per request at c=16` : 'several procedures: measure one with BENCH_ONLY for µs'}):\n` +
          `${stepsTable(`${profileDir}/server`, one?.cpuMicrosPerRequest.process ?? null)}\n`,
      );
    }
    const file = writeResult('latest', {
      at: new Date().toISOString(),
      machine: { ...machine, loadAtEnd: loadAverage(), postgres, database: bench.where },
      settings: { ...options, BENCH_ONLY: options.BENCH_ONLY?.source },
      data: data.counts,
      measurements,
      rssMiB: peaks,
      otlpExports: exported,
      goals,
      explain: explained.plan,
    });
    console.log(`results: ${file}`);
    if (measurements.some((m) => m.failures > 0)) process.exitCode = 1;
  } finally {
    await cleanup.run();
  }
}

await main().catch(exitOnStartupFailure);
// End now (pools and timers may keep the loop alive), with the exit code that says whether a request failed or a
// goal was missed.
process.exit(process.exitCode);
