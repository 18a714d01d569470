import { markdownTable } from '../shared/table.js';
import type { LoadResult } from './load.js';

export interface Measurement extends LoadResult {
  name: string;
  surface: string;
  /** Load average when this level started (the machine is shared; read numbers beside it). */
  load: string;
  /** CPU time per request of the process answering (server or floor) and of Postgres, in microseconds. */
  cpuMicrosPerRequest: { process: number | null; postgres: number | null };
}

const ms = (value: number) => value.toFixed(2);
const micros = (value: number | null) => (value === null ? '–' : value.toFixed(0));

/** One row per procedure and concurrency, with throughput and p99 relative to the floor at the same concurrency. */
export function measurementsTable(measurements: readonly Measurement[]): string {
  const floorAt = (connections: number) => measurements.find((m) => m.surface === 'floor' && m.connections === connections);
  return markdownTable(
    ['procedure', 'surface', 'c', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', '× floor req/s', '× floor p99', 'CPU µs/req', 'pg CPU µs/req', 'fail', 'load'],
    measurements.map((m) => {
      const floor = floorAt(m.connections);
      return [
        m.name,
        m.surface,
        String(m.connections),
        String(m.requests),
        m.perSecond.toFixed(0),
        ms(m.p50Ms),
        ms(m.p99Ms),
        ms(m.maxMs),
        floor ? (m.perSecond / floor.perSecond).toFixed(2) : '–',
        floor ? (m.p99Ms / floor.p99Ms).toFixed(2) : '–',
        micros(m.cpuMicrosPerRequest.process),
        micros(m.cpuMicrosPerRequest.postgres),
        String(m.failures),
        m.load,
      ];
    }),
  );
}

/**
 * What the fixed stack costs on this machine, in this run: each stack floor row's CPU per request at c=16 against the
 * floor's, beside the server's detail read (issue 23 reasons from this).
 */
export function stackCalibration(measurements: readonly Measurement[]): string | null {
  const at16 = measurements.filter((m) => m.connections === 16);
  const floorCpu = at16.find((m) => m.surface === 'floor')?.cpuMicrosPerRequest.process;
  if (!floorCpu) return null;
  const rows = at16.filter((m) => m.surface === 'stack' || (m.name === 'tasks.detail' && m.cpuMicrosPerRequest.process !== null));
  if (!rows.some((m) => m.surface === 'stack')) return null;
  const parts = rows.map((m) => `${m.name}${m.surface === 'stack' ? '' : ` (${m.surface})`} ${((m.cpuMicrosPerRequest.process ?? 0) / floorCpu).toFixed(2)}×`);
  return `CPU per request at c=16 against the floor's (${floorCpu.toFixed(0)} µs): ${parts.join(', ')}`;
}
