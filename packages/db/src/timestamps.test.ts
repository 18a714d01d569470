import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseTimestamptz, TIMESTAMPTZ_OID } from './timestamps.js';

const nodePostgres = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number | null;

/** The instant `ms` as Postgres writes a timestamptz (DateStyle ISO) in a zone `offsetSeconds` east of UTC. */
function asPostgresWrites(ms: number, microseconds: string, offsetSeconds: number): string {
  const local = new Date(ms + offsetSeconds * 1000).toISOString();
  const sign = offsetSeconds < 0 ? '-' : '+';
  const abs = Math.abs(offsetSeconds);
  const two = (n: number) => String(n).padStart(2, '0');
  const hours = two(Math.floor(abs / 3600));
  const minutes = Math.floor(abs / 60) % 60;
  const seconds = abs % 60;
  const offset = `${sign}${hours}${minutes || seconds ? `:${two(minutes)}` : ''}${seconds ? `:${two(seconds)}` : ''}`;
  return `${local.slice(0, 10)} ${local.slice(11, 19)}${microseconds}${offset}`;
}

/** A seeded sequence (xorshift32), so each run checks the same values. */
function randomInts(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}

describe('parseTimestamptz reads a timestamptz as node-postgres does', () => {
  it('for Postgres’s ISO form at any instant of the years 1000–9999, fraction and zone', () => {
    const next = randomInts(20261206);
    const first = Date.UTC(1000, 0, 2);
    const span = Date.UTC(9999, 11, 30) - first;
    for (let run = 0; run < 20_000; run++) {
      const ms = first + Math.floor((next() / 2 ** 32) * span);
      const fractionDigits = next() % 7;
      const microseconds = fractionDigits === 0 ? '' : `.${String(next() % 10 ** fractionDigits).padStart(fractionDigits, '0')}`;
      const offsetSeconds = [0, 3600, -18_000, 19_800, -34_200, 20_700, -(4 * 3600 + 56 * 60 + 2)][next() % 7]!;
      const text = asPostgresWrites(Math.floor(ms / 1000) * 1000, microseconds, offsetSeconds);
      expect(parseTimestamptz(text), text).toStrictEqual(nodePostgres(text));
    }
  });

  it('leaves every other form to node-postgres: BC, infinity, five-digit and early years', () => {
    for (const text of ['0044-03-15 12:00:00+00 BC', 'infinity', '-infinity', '12345-01-01 00:00:00+00', '0099-12-31 23:59:59.5+00', '0999-01-01 00:00:00+00']) {
      expect(parseTimestamptz(text), text).toStrictEqual(nodePostgres(text));
    }
  });
});
