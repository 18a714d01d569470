// `pnpm --filter @reelpost/server migrate [up|down|status]` against DATABASE_URL or the embedded Postgres under
// DATA_DIR, both read as the server reads them (config.ts), so the command migrates the database the server uses.
import { join } from 'node:path';
import { migrateDown, migrateToLatest, openDatabase, pendingMigrations } from '@reelpost/db';
import { configSchema, loadVariables } from '../config.js';
import { dataDirOf } from '../settings-of-config.js';

const command = process.argv[2] ?? 'up';
if (!['up', 'down', 'status'].includes(command)) {
  console.error(`Unknown command "${command}"; use up, down or status.`);
  process.exit(2);
}

try {
  const config = loadVariables(configSchema.pick({ DATABASE_URL: true, DATA_DIR: true }));
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: join(dataDirOf(config), 'pg'), migrate: false });
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
