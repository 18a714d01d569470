import type { Goal } from '../shared/table.js';
import type { Measurement } from './report.js';
import { SWITCH_BASELINE, TRACED_DETAIL, UNLIMITED_DETAIL } from './targets.js';

// The targets of issues 9 and 23: the server close to a bare node:http + pg server on tasks.detail (req/s, and CPU
// per request for each read), fast enough at c=16 for a page load, no procedure slow at any load measured, and small
// enough for a 256 MB container.

const CPU_BUDGETS = [
  ['tasks.detail', 'tRPC', 2.5],
  ['tasks.detail', 'REST', 2.5],
  ['tiktok.status (final post)', 'tRPC', 2.5],
  ['tasks.list (20)', 'tRPC', 3],
] as const;

const fmt = (value: number, digits = 1) => value.toFixed(digits);

export function evaluateGoals(measurements: readonly Measurement[], serverPeakRssMiB: number | null): Goal[] {
  const at = (name: string, surface: string, connections: number) =>
    measurements.find((m) => m.name === name && m.surface === surface && m.connections === connections);
  const floor16 = at('floor: detail SQL', 'floor', 16);
  const goals: Goal[] = [];
  for (const surface of ['tRPC', 'REST'] as const) {
    const detail = at('tasks.detail', surface, 16);
    if (!detail || !floor16) continue;
    const ratio = detail.perSecond / floor16.perSecond;
    goals.push({ goal: `tasks.detail (${surface}) ≥ 0.6× floor req/s at c=16`, measured: `${fmt(ratio, 2)}× (${fmt(detail.perSecond, 0)} vs ${fmt(floor16.perSecond, 0)} req/s)`, pass: ratio >= 0.6 });
    goals.push({ goal: `tasks.detail (${surface}) p99 < 20 ms at c=16`, measured: `${fmt(detail.p99Ms)} ms`, pass: detail.p99Ms < 20 });
  }
  // Issue 23: the server's CPU per request against the floor's, in the same run.
  const floorCpu = floor16?.cpuMicrosPerRequest.process;
  for (const [name, surface, budget] of CPU_BUDGETS) {
    const cpu = at(name, surface, 16)?.cpuMicrosPerRequest.process;
    if (!cpu || !floorCpu) continue;
    goals.push({
      goal: `${name} (${surface}) server CPU ≤ ${budget}× the floor's at c=16`,
      measured: `${fmt(cpu / floorCpu, 2)}× (${fmt(cpu, 0)} vs ${fmt(floorCpu, 0)} µs/req)`,
      pass: cpu / floorCpu <= budget,
    });
  }
  // A level where no request completed has no p99 at all: the worst case there is.
  const p99 = (m: Measurement) => (Number.isNaN(m.p99Ms) ? Number.POSITIVE_INFINITY : m.p99Ms);
  const procedures = measurements.filter((m) => m.surface !== 'floor' && m.surface !== 'stack');
  const worst = procedures.reduce<Measurement | undefined>((max, m) => (max && p99(max) >= p99(m) ? max : m), undefined);
  if (worst) {
    const where = `${worst.name} ${worst.surface}, c=${worst.connections}`;
    goals.push({
      goal: 'every procedure p99 < 100 ms (c = 1, 16, 64)',
      measured: Number.isNaN(worst.p99Ms) ? `no request completed (${where})` : `worst ${fmt(worst.p99Ms)} ms (${where})`,
      pass: p99(worst) < 100,
    });
  }
  goals.push({
    goal: 'server RSS < 250 MB under load',
    measured: serverPeakRssMiB === null ? 'not measured (no /proc)' : `peak ${fmt(serverPeakRssMiB)} MiB`,
    pass: serverPeakRssMiB !== null && serverPeakRssMiB * 1.048_576 < 250,
  });
  goals.push({
    goal: 'no failed requests',
    measured: `${measurements.reduce((sum, m) => sum + m.failures, 0)} failures`,
    pass: measurements.every((m) => m.failures === 0),
  });
  return goals;
}

/**
 * The lowest and highest loss of the slices taken in turns (each pair measured back to back): how far one run's
 * number can be trusted on a shared machine, where two slices seconds apart can differ by more than a switch costs.
 */
function sliceSpread(without: Measurement, withIt: Measurement): string {
  const pairs = Math.min(without.slicesPerSecond.length, withIt.slicesPerSecond.length);
  if (pairs < 2) return '';
  const losses = Array.from({ length: pairs }, (_, slice) => 1 - withIt.slicesPerSecond[slice]! / without.slicesPerSecond[slice]!);
  return `; slices ${fmt(Math.min(...losses) * 100)} to ${fmt(Math.max(...losses) * 100)} %`;
}

/**
 * What one switch costs the detail read (tRPC): the same requests to the same server with and without it, at each
 * concurrency, as req/s lost and CPU per request added.
 */
function switchGoals(measurements: readonly Measurement[], what: string, cheaper: string, dearer: string, budget: number): Goal[] {
  const goals: Goal[] = [];
  for (const connections of [1, 16, 64]) {
    const without = measurements.find((m) => m.name === cheaper && m.surface === 'tRPC' && m.connections === connections);
    const withIt = measurements.find((m) => m.name === dearer && m.surface === 'tRPC' && m.connections === connections);
    if (!without || !withIt) continue;
    const lost = 1 - withIt.perSecond / without.perSecond;
    const cpuWithout = without.cpuMicrosPerRequest.process;
    const cpuWith = withIt.cpuMicrosPerRequest.process;
    const cpu = cpuWithout && cpuWith ? `, CPU ${fmt(cpuWith, 0)} vs ${fmt(cpuWithout, 0)} µs/req (${fmt((cpuWith / cpuWithout - 1) * 100)} %)` : '';
    goals.push({
      goal: `${what} costs < ${budget} % of tasks.detail (tRPC) req/s at c=${connections}`,
      measured: `${fmt(lost * 100)} % (${fmt(withIt.perSecond, 0)} vs ${fmt(without.perSecond, 0)} req/s${cpu}${sliceSpread(without, withIt)})`,
      pass: lost < budget / 100,
    });
  }
  return goals;
}

/**
 * Tracing's cost (issue 21): the detail read on a server exporting every span to a collector stub against the same
 * server without a collector. With tracing off the server's own numbers are compared with earlier runs
 * (docs/benchmarks.md): within the run-to-run spread.
 */
export function tracingGoals(measurements: readonly Measurement[], exportRequests: number): Goal[] {
  const goals = switchGoals(measurements, 'tracing on', SWITCH_BASELINE, TRACED_DETAIL, 15);
  if (goals.length > 0) goals.push({ goal: 'the traced server exported its spans', measured: `${exportRequests} OTLP requests`, pass: exportRequests > 0 });
  return goals;
}

/** The request rate limits' cost (issue 17): every request counted in Postgres, against RATE_LIMITS=off. */
export function rateLimitGoals(measurements: readonly Measurement[]): Goal[] {
  return switchGoals(measurements, 'the request rate limits', UNLIMITED_DETAIL, SWITCH_BASELINE, 5);
}
