import { DEMO_SUB_PREFIX } from '@reelpost/api';
import type { Database } from '@reelpost/db';
import { type Kysely, sql } from 'kysely';

/** Demo mode started against a database that holds real users: it would hand out tokens on a real database. */
export class DemoDatabaseError extends Error {
  override readonly name = 'DemoDatabaseError';
}

/**
 * Demo mode signs anyone in by email, so it must only ever run on demo data: a database holding a single user that
 * demo mode did not create (a `sub` outside `demo|…`) is refused before anything is served. Only a count is said —
 * never a user's identity.
 */
export async function assertDemoOnlyDatabase(db: Kysely<Database>): Promise<void> {
  const { count } = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where(sql<boolean>`NOT starts_with(sub, ${DEMO_SUB_PREFIX})`)
    .executeTakeFirstOrThrow();
  if (Number(count) > 0) {
    throw new DemoDatabaseError(
      `Demo mode refuses this database: it holds ${count} user(s) that demo mode did not create.\n` +
        'Demo mode signs anyone in by email; point it at a database of its own (unset DATABASE_URL for the embedded one), or configure TikTok and sign-in to run for real (docs/operations.md).',
    );
  }
}
