import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase } from '@reelpost/db';
import { useTestDatabase } from '@reelpost/db/testing';
import { describe, expect, it } from 'vitest';
import { takeTikTokCall, tikTokCallLimit, tikTokCallWait } from './call-budget.js';

const database = useTestDatabase();

async function account(): Promise<string> {
  const { db } = database();
  const user = await db.insertInto('users').values({ sub: `u-${Math.random()}`, email: null }).returning('id').executeTakeFirstOrThrow();
  const instance = await db.insertInto('instances').values({ owner_id: user.id, name: 'i' }).returning('id').executeTakeFirstOrThrow();
  const row = await db
    .insertInto('instance_tiktok_credentials')
    .values({ instance_id: instance.id, open_id: `o-${Math.random()}`, access_token_encrypted: 'x', refresh_token_encrypted: 'y' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('the shared TikTok call budget', () => {
  it("takes TikTok's per-token limits from @reelpost/tiktok's table: creator info 20, inits 6, status 30, user info 600", () => {
    expect([tikTokCallLimit('creator_info'), tikTokCallLimit('init'), tikTokCallLimit('status'), tikTokCallLimit('user_info')]).toEqual([20, 6, 30, 600]);
  });

  it('grants exactly the limit when many processes ask at once', async () => {
    const accountId = await account();
    // A second pool stands for a second server process.
    const other = createDatabase({ url: database().url, max: 10 });
    try {
      const pools = [database().db, other.db];
      const decisions = await Promise.all(
        Array.from({ length: 80 }, (_, i) => takeTikTokCall(pools[i % 2]!, accountId, 'status')),
      );
      expect(decisions.filter((decision) => decision.granted)).toHaveLength(30);
    } finally {
      await other.close();
    }
  });

  it('tells a refused caller when the oldest call leaves the window', async () => {
    const accountId = await account();
    for (let i = 0; i < 6; i++) await takeTikTokCall(database().db, accountId, 'init');
    const refused = await takeTikTokCall(database().db, accountId, 'init');
    expect(refused.granted).toBe(false);
    if (!refused.granted) {
      expect(refused.retryAfterMs).toBeGreaterThan(50_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
  });

  it('counts each endpoint and each account on its own', async () => {
    const first = await account();
    const second = await account();
    for (let i = 0; i < 6; i++) await takeTikTokCall(database().db, first, 'init');
    expect(await takeTikTokCall(database().db, first, 'status')).toEqual({ granted: true });
    expect(await takeTikTokCall(database().db, second, 'init')).toEqual({ granted: true });
  });

  it('frees calls that have left a (shortened) window', async () => {
    const accountId = await account();
    const options = { windowMs: 1, limit: 1 };
    await takeTikTokCall(database().db, accountId, 'status', options);
    // The window is one millisecond; 20 ms on, the first call has surely left it (the next statement alone can come
    // within the same millisecond on a fast machine, as CI's system Postgres showed).
    await sleep(20);
    expect(await takeTikTokCall(database().db, accountId, 'status', options)).toEqual({ granted: true });
  });

  it('says how long until a call would be granted, without taking one', async () => {
    const accountId = await account();
    expect(await tikTokCallWait(database().db, accountId, 'init')).toBe(0);
    for (let i = 0; i < 5; i++) await takeTikTokCall(database().db, accountId, 'init');
    // Asking spends nothing: still room for the sixth.
    expect(await tikTokCallWait(database().db, accountId, 'init')).toBe(0);
    expect(await tikTokCallWait(database().db, accountId, 'init')).toBe(0);
    await takeTikTokCall(database().db, accountId, 'init');
    const wait = await tikTokCallWait(database().db, accountId, 'init');
    expect(wait).toBeGreaterThan(50_000);
    expect(wait).toBeLessThanOrEqual(60_000);
    await sleep(20);
    expect(await tikTokCallWait(database().db, accountId, 'init', { windowMs: 1 })).toBe(0);
  });
});
