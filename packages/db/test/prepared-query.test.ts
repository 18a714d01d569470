import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../src/create-database.js';
import { prepareQuery } from '../src/prepared-query.js';
import type { Database } from '../src/schema.js';
import { useTestDatabase } from '../src/testing/database.js';

const database = useTestDatabase();

const userBySub = prepareQuery<Database, { id: string; email: string | null }>((db, sub) =>
  db.selectFrom('users').select(['id', 'email']).where('sub', '=', sub),
);

describe('prepareQuery', () => {
  it('runs the query compiled once with each call’s value', async () => {
    const { db } = database();
    await db.insertInto('users').values([{ sub: 'a', email: 'a@example.com' }, { sub: 'b', email: 'b@example.com' }]).execute();
    expect((await userBySub(db, 'a')).map((user) => user.email)).toEqual(['a@example.com']);
    expect((await userBySub(db, 'b')).map((user) => user.email)).toEqual(['b@example.com']);
    expect(await userBySub(db, 'nobody')).toEqual([]);
  });

  it('binds every use of the value, leaving the query’s other parameters as they were', async () => {
    const { db } = database();
    await db.insertInto('users').values([{ sub: 'c', email: 'c@example.com' }, { sub: 'd', email: 'c@example.com' }]).execute();
    const sameSubOrEmail = prepareQuery<Database, { sub: string }>((db, value) =>
      db
        .selectFrom('users')
        .select('sub')
        .where((eb) => eb.or([eb('sub', '=', value), eb.and([eb('email', '=', value), eb('sub', '!=', 'd')])]))
        .orderBy('sub'),
    );
    expect(await sameSubOrEmail(db, 'c@example.com')).toEqual([{ sub: 'c' }]);
    expect(await sameSubOrEmail(db, 'd')).toEqual([{ sub: 'd' }]);
  });

  it('refuses a query that does not bind its value', async () => {
    const { db } = database();
    const unbound = prepareQuery<Database, { id: string }>((db) => db.selectFrom('users').select('id'));
    await expect(unbound(db, 'x')).rejects.toThrow(/does not bind its value/);
  });

  it('runs inside a transaction on the transaction’s own connection', async () => {
    const { db } = database();
    const seen = await db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values({ sub: 'uncommitted', email: null }).execute();
      return userBySub(trx, 'uncommitted');
    });
    expect(seen.map((user) => user.email)).toEqual([null]);
  });

  it('runs as a named prepared statement, parsed and planned once per connection', async () => {
    const single = createDatabase({ url: database().url, max: 1 });
    try {
      await userBySub(single.db, 'a');
      await userBySub(single.db, 'b');
      const prepared = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements`.execute(single.db);
      expect(prepared.rows.map((row) => row.name)).toEqual([expect.stringMatching(/^reelpost_[0-9a-f]{24}$/)]);
    } finally {
      await single.close();
    }
  });

  it('runs unnamed when prepared statements are turned off (a pooler that cannot carry them)', async () => {
    const single = createDatabase({ url: database().url, max: 1, preparedStatements: false });
    try {
      expect((await userBySub(single.db, 'nobody')).length).toBe(0);
      const prepared = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements`.execute(single.db);
      expect(prepared.rows).toEqual([]);
    } finally {
      await single.close();
    }
  });
});
