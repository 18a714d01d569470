// `pnpm --filter @reelpost/db migrate [up|down|status]` against DATABASE_URL or the project's embedded Postgres.
import { migrateDown, migrateToLatest, pendingMigrations } from '../migrate.js';
import { openDatabase } from '../open-database.js';

const command = process.argv[2] ?? 'up';
if (!['up', 'down', 'status'].includes(command)) {
  console.error(`Unknown command "${command}"; use up, down or status.`);
  process.exit(2);
}

try {
  const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, migrate: false });
  try {
    if (command === 'up') {
      const applied = await migrateToLatest(database.db);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date.');
    } else if (command === 'down') {
      const reverted = await migrateDown(database.db);
      console.log(reverted.length ? `Reverted: ${reverted.join(', ')}` : 'Nothing to revert.');
    } else {
      const pending = await pendingMigrations(database.db);
      console.log(pending.length ? `Pending: ${pending.join(', ')}` : 'Up to date.');
    }
  } finally {
    await database.shutdown();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
