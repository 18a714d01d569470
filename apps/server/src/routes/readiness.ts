import { type Database, pendingMigrations } from '@reelpost/db';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';

/**
 * GET /readyz, on the public port and on the internal one: ready only when Postgres answers and no migration is
 * pending, so a load balancer sends nothing to a process that could not serve it.
 */
export function readinessHandler(db: Kysely<Database>) {
  return async (c: Context) => {
    try {
      const pending = await pendingMigrations(db);
      if (pending.length > 0) return c.json({ status: 'migrations_pending', pending }, 503);
      return c.json({ status: 'ready' });
    } catch {
      return c.json({ status: 'database_unreachable' }, 503);
    }
  };
}
