import { type Database, pendingMigrations } from '@reelpost/db';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';

export interface AppOptions {
  db: Kysely<Database>;
}

export function createApp({ db }: AppOptions): Hono {
  const app = new Hono();

  // Liveness: the process answers. Nothing else is checked, so a slow database never gets the process restarted.
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  // Readiness: the database answers and the schema is current, so this instance can take traffic.
  app.get('/readyz', async (c) => {
    try {
      const pending = await pendingMigrations(db);
      if (pending.length > 0) return c.json({ status: 'migrations_pending', pending }, 503);
      return c.json({ status: 'ready' });
    } catch {
      return c.json({ status: 'database_unreachable' }, 503);
    }
  });

  return app;
}
