import { setTimeout as sleep } from 'node:timers/promises';
import { useTestDatabase } from '@reelpost/db/testing';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { AHEAD_COUNT_DELAY_MS, SharedCounter } from './shared-counter.js';

const database = useTestDatabase();
let prefixes = 0;

/** A counter of `points` calls a minute, as one server process keeps it; `prefix` names the key space its processes share. */
function counter(points: number, prefix = `test${++prefixes}`): SharedCounter {
  const limiter = new RateLimiterPostgres({
    storeClient: database().pool,
    storeType: 'pool',
    tableName: 'request_rate_limits',
    tableCreated: true,
    keyPrefix: prefix,
    points,
    duration: 60,
    inMemoryBlockOnConsumed: points,
  });
  return new SharedCounter(limiter);
}

async function countedInPostgres(key: string): Promise<number> {
  // Let the upsert sent behind the answers land.
  await sleep(AHEAD_COUNT_DELAY_MS + 150);
  const { rows } = await database().pool.query<{ points: number }>('SELECT points FROM request_rate_limits WHERE key LIKE $1', [`%:${key}`]);
  return rows.reduce((sum, row) => sum + row.points, 0);
}

describe('SharedCounter', () => {
  it('answers a call far from its limit at once, and counts it in Postgres behind the answer', async () => {
    const calls = counter(1_000);
    const answers = Array.from({ length: 20 }, () => calls.spend('far'));
    expect(answers).toEqual(Array<null>(20).fill(null));
    expect(await countedInPostgres('far')).toBe(20);
  });

  it('allows exactly its limit of a burst, the rest told when the window ends', async () => {
    const calls = counter(10);
    const answers = await Promise.all(Array.from({ length: 25 }, async () => calls.spend('burst')));
    expect(answers.filter((answer) => answer === null)).toHaveLength(10);
    for (const wait of answers.filter((answer) => answer !== null)) {
      expect(wait).toBeGreaterThanOrEqual(1_000);
      expect(wait).toBeLessThanOrEqual(60_000);
    }
  });

  it('makes calls wait for Postgres once 5 % of its limit is answered ahead of it', () => {
    const calls = counter(100);
    const answers = Array.from({ length: 6 }, () => calls.spend('eager'));
    expect(answers.slice(0, 5)).toEqual(Array<null>(5).fill(null));
    expect(answers[5]).toBeInstanceOf(Promise);
  });

  it('refuses a key over its limit from memory, without a query', async () => {
    const calls = counter(3);
    for (let i = 0; i < 4; i++) await calls.spend('over');
    const answer = calls.spend('over');
    expect(typeof answer).toBe('number');
  });

  it('shares the limit between processes: two counters on one table allow it once between them', async () => {
    const processes = [counter(50, 'shared'), counter(50, 'shared')];
    let allowed = 0;
    for (let i = 0; i < 120; i++) {
      if ((await processes[i % 2]!.spend('sharer')) === null) allowed += 1;
    }
    expect(allowed).toBe(50);
  });

  it('forgets a key once its window is over and nothing is counting it', async () => {
    const limiter = new RateLimiterPostgres({
      storeClient: database().pool,
      storeType: 'pool',
      tableName: 'request_rate_limits',
      tableCreated: true,
      keyPrefix: 'brief',
      points: 10,
      duration: 1,
    });
    const calls = new SharedCounter(limiter);
    await calls.spend('brief');
    await countedInPostgres('brief');
    await sleep(1_100);
    calls.sweep();
    expect(calls.size).toBe(0);
  });
});
