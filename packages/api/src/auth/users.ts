import type { Database } from '@reelpost/db';
import type { Kysely } from 'kysely';
import type { AppDeps } from '../deps.js';

export interface UserRef {
  id: string;
  sub: string;
  email: string | null;
}

export async function findUserBySub(db: Kysely<Database>, sub: string): Promise<UserRef | undefined> {
  return db.selectFrom('users').select(['id', 'sub', 'email']).where('sub', '=', sub).executeTakeFirst();
}

/**
 * The user with this `sub`, created on first sight. The email follows the token's: updated when the token carries a
 * different one, kept when the token carries none (many access tokens omit it). The usual request is one read; the
 * insert tolerates a concurrent first request for the same user (ON CONFLICT on the unique `sub`).
 */
export async function upsertUserBySub(
  { db, clock }: Pick<AppDeps, 'db' | 'clock'>,
  identity: { sub: string; email: string | null },
): Promise<UserRef> {
  const existing = await findUserBySub(db, identity.sub);
  if (existing) {
    if (identity.email === null || identity.email === existing.email) return existing;
    await db.updateTable('users').set({ email: identity.email, updated_at: clock.now() }).where('id', '=', existing.id).execute();
    return { ...existing, email: identity.email };
  }
  return db
    .insertInto('users')
    .values({ sub: identity.sub, email: identity.email })
    .onConflict((conflict) =>
      conflict.column('sub').doUpdateSet((eb) => ({
        email: eb.fn.coalesce(eb.ref('excluded.email'), eb.ref('users.email')),
      })),
    )
    .returning(['id', 'sub', 'email'])
    .executeTakeFirstOrThrow();
}
