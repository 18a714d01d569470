import { inspect } from 'node:util';
import { useTestDatabase } from '@reelpost/db/testing';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from './fernet.js';
import { reencryptSealedColumns } from './reencrypt.js';
import { createTokenCodec } from './token-codec.js';

const getDatabase = useTestDatabase();

const OLD_KEY = generateFernetKey();
const NEW_KEY = generateFernetKey();
const oldOnly = createTokenCodec({ keys: [OLD_KEY] });
const ring = createTokenCodec({ keys: [NEW_KEY, OLD_KEY] });
const newOnly = createTokenCodec({ keys: [NEW_KEY] });

let instanceId: string;
let userId: string;

beforeAll(async () => {
  const { db } = getDatabase();
  const user = await db.insertInto('users').values({ sub: 'rotation-owner', email: 'owner@example.com' }).returning('id').executeTakeFirstOrThrow();
  const instance = await db.insertInto('instances').values({ owner_id: user.id, name: 'rotation' }).returning('id').executeTakeFirstOrThrow();
  userId = user.id;
  instanceId = instance.id;
});

/** Clears both sealed tables, then writes `accounts` accounts and `states` OAuth states sealed with `codec`. */
async function seal(codec: typeof oldOnly, accounts: number, states: number, label: string) {
  const { db } = getDatabase();
  await db.deleteFrom('instance_tiktok_credentials').execute();
  await db.deleteFrom('tiktok_oauth_states').execute();
  for (let i = 0; i < accounts; i += 1) {
    await db
      .insertInto('instance_tiktok_credentials')
      .values({
        instance_id: instanceId,
        open_id: `${label}-open-${i}`,
        access_token_encrypted: codec.encrypt(`act.${label}.${i}`),
        refresh_token_encrypted: codec.encrypt(`rft.${label}.${i}`),
      })
      .execute();
  }
  for (let i = 0; i < states; i += 1) {
    await db
      .insertInto('tiktok_oauth_states')
      .values({
        state_hash: `${label}-state-${i}`,
        user_id: userId,
        instance_id: instanceId,
        code_verifier_encrypted: codec.encrypt(`verifier.${label}.${i}`),
        expires_at: new Date(Date.now() + 600_000),
      })
      .execute();
  }
}

async function sealedValues() {
  const { db } = getDatabase();
  const accounts = await db
    .selectFrom('instance_tiktok_credentials')
    .select(['open_id', 'access_token_encrypted', 'refresh_token_encrypted'])
    .orderBy('open_id')
    .execute();
  const states = await db.selectFrom('tiktok_oauth_states').select(['state_hash', 'code_verifier_encrypted']).orderBy('state_hash').execute();
  return { accounts, states };
}

describe('re-encrypting every sealed column with the newest key', () => {
  it('leaves every row written under the old key readable by the new key alone', async () => {
    await seal(oldOnly, 7, 3, 'old');
    const report = await reencryptSealedColumns({ db: getDatabase().db, codec: ring, batchSize: 2 });
    expect(report).toMatchObject({ resealed: 7 * 2 + 3, alreadyCurrent: 0, unreadable: 0 });
    expect(report.tables).toEqual([
      { table: 'instance_tiktok_credentials', rows: 7, resealed: 14, alreadyCurrent: 0, unreadable: 0, locked: 0 },
      { table: 'tiktok_oauth_states', rows: 3, resealed: 3, alreadyCurrent: 0, unreadable: 0, locked: 0 },
    ]);
    const { accounts, states } = await sealedValues();
    accounts.forEach((row, i) => {
      expect(newOnly.decrypt(row.access_token_encrypted!)).toBe(`act.old.${i}`);
      expect(newOnly.decrypt(row.refresh_token_encrypted!)).toBe(`rft.old.${i}`);
    });
    states.forEach((row, i) => expect(newOnly.decrypt(row.code_verifier_encrypted)).toBe(`verifier.old.${i}`));
  });

  it('is idempotent: a second run re-seals nothing and changes no value', async () => {
    await seal(oldOnly, 3, 2, 'twice');
    await reencryptSealedColumns({ db: getDatabase().db, codec: ring });
    const before = await sealedValues();
    const again = await reencryptSealedColumns({ db: getDatabase().db, codec: ring });
    expect(again).toMatchObject({ resealed: 0, alreadyCurrent: 3 * 2 + 2, unreadable: 0 });
    expect(await sealedValues()).toEqual(before);
  });

  it('walks a table in batches, reporting each', async () => {
    await seal(oldOnly, 5, 0, 'batches');
    const batches: number[] = [];
    await reencryptSealedColumns({ db: getDatabase().db, codec: ring, batchSize: 2, onBatch: (p) => batches.push(p.rows) });
    expect(batches).toEqual([2, 2, 1]);
  });

  it('skips wiped tokens of disconnected accounts', async () => {
    await seal(oldOnly, 1, 0, 'wiped');
    const { db } = getDatabase();
    await db
      .updateTable('instance_tiktok_credentials')
      .set({ state: 'revoked', access_token_encrypted: null, refresh_token_encrypted: null })
      .execute();
    const report = await reencryptSealedColumns({ db, codec: ring });
    expect(report.tables[0]).toMatchObject({ rows: 1, resealed: 0, alreadyCurrent: 0, unreadable: 0 });
  });

  it('leaves a value no configured key opens untouched and names its row, not its value', async () => {
    await seal(oldOnly, 2, 0, 'stranger');
    const { db } = getDatabase();
    const stranger = createTokenCodec({ keys: [generateFernetKey()] }).encrypt('act.from-a-lost-key');
    const target = await db
      .updateTable('instance_tiktok_credentials')
      .set({ access_token_encrypted: stranger })
      .where('open_id', '=', 'stranger-open-1')
      .returning('id')
      .executeTakeFirstOrThrow();
    const report = await reencryptSealedColumns({ db, codec: ring });
    expect(report).toMatchObject({ resealed: 3, unreadable: 1 });
    expect(report.unreadableRows).toEqual([
      { table: 'instance_tiktok_credentials', key: target.id, column: 'access_token_encrypted', reason: 'bad_signature' },
    ]);
    const row = await db.selectFrom('instance_tiktok_credentials').select('access_token_encrypted').where('id', '=', target.id).executeTakeFirstOrThrow();
    expect(row.access_token_encrypted).toBe(stranger);
    expect(inspect(report, { depth: 10 })).not.toContain(stranger);
  });

  it('writes nothing in a dry run, but counts what it would re-seal', async () => {
    await seal(oldOnly, 2, 1, 'dry');
    const before = await sealedValues();
    const report = await reencryptSealedColumns({ db: getDatabase().db, codec: ring, dryRun: true });
    expect(report).toMatchObject({ resealed: 5, alreadyCurrent: 0 });
    expect(await sealedValues()).toEqual(before);
  });

  it('re-seals the rest without waiting, then waits for the row a token refresh holds and keeps the refreshed token', async () => {
    await seal(oldOnly, 3, 0, 'busy');
    const { db, pool } = getDatabase();
    const busy = await db.selectFrom('instance_tiktok_credentials').select('id').where('open_id', '=', 'busy-open-1').executeTakeFirstOrThrow();

    // Another process (the refresher) holds the row while it talks to TikTok.
    const refresher = await pool.connect();
    try {
      await refresher.query('BEGIN');
      await refresher.query('SELECT id FROM instance_tiktok_credentials WHERE id = $1 FOR UPDATE', [busy.id]);
      const rotation = reencryptSealedColumns({ db, codec: ring, lockTimeoutMs: 30_000 });

      // Until rotation is queued behind the refresher's lock (no timers: ask Postgres).
      for (let i = 0; ; i += 1) {
        const { rows } = await sql<{ waiting: number }>`
          SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'
        `.execute(db);
        if (rows[0]!.waiting > 0) break;
        if (i > 10_000) throw new Error('rotation never waited for the lock');
      }

      // The batch did not wait for it: the other rows are already committed under the new key.
      const others = await db
        .selectFrom('instance_tiktok_credentials')
        .select('access_token_encrypted')
        .where('id', '!=', busy.id)
        .execute();
      for (const other of others) expect(newOnly.decrypt(other.access_token_encrypted!)).toMatch(/^act\.busy\./);

      // The refresher stores the rotated tokens TikTok gave it, sealed with the newest key, and commits.
      await refresher.query(
        'UPDATE instance_tiktok_credentials SET access_token_encrypted = $1, refresh_token_encrypted = $2 WHERE id = $3',
        [ring.encrypt('act.refreshed'), ring.encrypt('rft.refreshed'), busy.id],
      );
      await refresher.query('COMMIT');

      const report = await rotation;
      expect(report).toMatchObject({ resealed: 4, alreadyCurrent: 2, unreadable: 0 });
    } finally {
      refresher.release();
    }
    const row = await db
      .selectFrom('instance_tiktok_credentials')
      .select(['access_token_encrypted', 'refresh_token_encrypted'])
      .where('id', '=', busy.id)
      .executeTakeFirstOrThrow();
    expect(newOnly.decrypt(row.access_token_encrypted!)).toBe('act.refreshed');
    expect(newOnly.decrypt(row.refresh_token_encrypted!)).toBe('rft.refreshed');
  });

  it('reports a row that stays locked through every wait, and re-seals the rest of its batch', async () => {
    await seal(oldOnly, 3, 0, 'stuck');
    const { db, pool } = getDatabase();
    const stuck = await db.selectFrom('instance_tiktok_credentials').select(['id', 'access_token_encrypted']).where('open_id', '=', 'stuck-open-1').executeTakeFirstOrThrow();
    const holder = await pool.connect();
    let report;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM instance_tiktok_credentials WHERE id = $1 FOR UPDATE', [stuck.id]);
      report = await reencryptSealedColumns({ db, codec: ring, lockTimeoutMs: 10 });
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect(report).toMatchObject({ resealed: 4, locked: 1, lockedRows: [{ table: 'instance_tiktok_credentials', key: stuck.id }] });
    const after = await db.selectFrom('instance_tiktok_credentials').select('access_token_encrypted').where('id', '=', stuck.id).executeTakeFirstOrThrow();
    expect(after.access_token_encrypted).toBe(stuck.access_token_encrypted);
    expect(await reencryptSealedColumns({ db, codec: ring })).toMatchObject({ resealed: 2, alreadyCurrent: 4, locked: 0 });
  });
});
