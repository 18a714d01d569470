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

/**
 * Users this process saw sign in recently, by `sub`. Every request names its user; without this, each one would
 * begin with a read of `users` before the query it came for. A user row's id never changes for its `sub`, so the
 * only thing to keep fresh is the email, which a token carrying a different one still writes through at once.
 */
export class RecentUsers {
  readonly #users = new Map<string, { user: UserRef; seenAt: number }>();

  constructor(
    private readonly options: { ttlMs: number; maxEntries: number },
    private readonly now: () => number = Date.now,
  ) {}

  get(sub: string): UserRef | undefined {
    const entry = this.#users.get(sub);
    if (!entry) return undefined;
    if (this.now() - entry.seenAt > this.options.ttlMs) {
      this.#users.delete(sub);
      return undefined;
    }
    return entry.user;
  }

  remember(user: UserRef): UserRef {
    this.#users.delete(user.sub);
    // A Map iterates in insertion order: the first key is the one seen longest ago.
    if (this.#users.size >= this.options.maxEntries) this.#users.delete(this.#users.keys().next().value!);
    this.#users.set(user.sub, { user, seenAt: this.now() });
    return user;
  }
}
