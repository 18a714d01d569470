import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../src/testing/database.js';
import { testDatabaseContext } from '../src/testing/database.js';

const database = useTestDatabase();

describe('per-file test databases', () => {
  it('start migrated and empty', async () => {
    const { db } = database();
    const users = await db.selectFrom('users').select('id').execute();
    expect(users).toEqual([]);
  });

  it('are this file’s own, cloned from the run’s template', () => {
    const { prefix, template } = testDatabaseContext();
    expect(database().name.startsWith(prefix)).toBe(true);
    expect(database().name).not.toBe(template);
  });

  it('keep rows from one file away from every other file', async () => {
    const { db } = database();
    await db.insertInto('users').values({ sub: 'only-here', email: null }).execute();
    // constraints.test.ts inserts users too, in parallel; none of them can show up here.
    const subs = await db.selectFrom('users').select('sub').execute();
    expect(subs).toEqual([{ sub: 'only-here' }]);
  });
});
