// `pnpm bench:tracing`: what tracing's machinery costs per detail read, part by part, in one process without HTTP,
// Postgres or a second core's noise. See docs/benchmarks.md, "Tracing's cost".
//
//   BENCH_ROUNDS   how many times each variant runs, alternated, each in a fresh process (default 3; medians shown)
//   BENCH_READS    reads measured per run (default 100000)
//   BENCH_HEAP_MB  keep about this many MB of long-lived objects beside the reads, as a server does (default 0)
//   BENCH_NODE     path to another `node` to run the variants with (e.g. Node 24)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCH_NODE } from '../shared/child-process.js';
import { markdownTable } from '../shared/table.js';
import { startCollectorStub } from '../http/collector-stub.js';
import { VARIANTS, type Variant } from './read.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const READS = Number(process.env.BENCH_READS ?? 100_000);
const runner = fileURLToPath(new URL('./run-variant.ts', import.meta.url));
/** Where `--import tsx` resolves from, whichever folder the benchmark was started in. */
const benchPackage = fileURLToPath(new URL('../..', import.meta.url));

/** CPU µs per read of one variant, in a process of its own (AsyncLocalStorage's hooks, once on, stay on). */
function runVariant(variant: Variant, collectorUrl: string): number {
  const out = execFileSync(BENCH_NODE, ['--import', 'tsx', runner, variant, String(READS), collectorUrl], {
    cwd: benchPackage,
    encoding: 'utf8',
  });
  const measured = /cpu_us_per_read=([\d.]+)/.exec(out)?.[1];
  if (measured === undefined) throw new Error(`the ${variant} run printed no measurement:\n${out}`);
  return Number(measured);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const collector = await startCollectorStub();
const runs = new Map<Variant, number[]>(VARIANTS.map((variant) => [variant.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const { name } of VARIANTS) runs.get(name)?.push(runVariant(name, collector.url));
}
await collector.close();

const untraced = median(runs.get('untraced') ?? []);
let previous = untraced;
const rows = VARIANTS.map(({ name, adds }) => {
  const cpu = median(runs.get(name) ?? []);
  const row = [name, adds, cpu.toFixed(2), (cpu - untraced).toFixed(2), (cpu - previous).toFixed(2)];
  previous = cpu;
  return row;
});
const node = execFileSync(BENCH_NODE, ['--version'], { encoding: 'utf8' }).trim();
const title = `Tracing's machinery per detail read, in one process (Node ${node}, medians of ${ROUNDS} runs of ${READS} reads)`;
console.log(`\n${title}\n`);
console.log(markdownTable(['variant', 'what it adds', 'CPU µs/read', 'over untraced', 'over the row above'], rows));
