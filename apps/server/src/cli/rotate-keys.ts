// `pnpm --filter @reelpost/server rotate-keys [--dry-run] [--batch-size=N]`
// Re-seals every sealed column (TikTok access/refresh tokens, OAuth PKCE verifiers) with the newest key of
// ENCRYPTION_KEYS, against DATABASE_URL (or the embedded Postgres under DATA_DIR, which must not be in use by a
// running server: stop it first). Safe while servers on DATABASE_URL keep running; see reencryptSealedColumns. Prints
// counts, never values; exits 1 when some value no configured key opens (do not drop an old key until that is
// resolved) or some row stayed locked (run it again).
// The keys are read as the server reads them (config.ts, settings-of-config.ts): a command that understood
// ENCRYPTION_KEYS differently could re-seal rows with a key the servers do not hold.
import { join } from 'node:path';
import { createTokenCodec, reencryptSealedColumns } from '@reelpost/api';
import { openDatabase } from '@reelpost/db';
import { configSchema, loadVariables } from '../config.js';
import { dataDirOf, encryptionKeysOf } from '../settings-of-config.js';

function parseArguments(argv: string[]): { dryRun: boolean; batchSize: number } {
  let dryRun = false;
  let batchSize = 100;
  for (const argument of argv) {
    if (argument === '--dry-run') dryRun = true;
    else if (argument.startsWith('--batch-size=')) batchSize = Number(argument.slice('--batch-size='.length));
    else throw new Error(`Unknown argument "${argument}"; use --dry-run and --batch-size=N.`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new Error('--batch-size must be a whole number from 1 to 10000.');
  }
  return { dryRun, batchSize };
}

try {
  const { dryRun, batchSize } = parseArguments(process.argv.slice(2));
  const config = loadVariables(configSchema.pick({ DATABASE_URL: true, DATA_DIR: true, ENCRYPTION_KEYS: true, ENCRYPTION_KEY: true }));
  const codec = createTokenCodec({ keys: encryptionKeysOf(config) });
  if (codec.keyCount === 1) {
    console.log('Only one encryption key is configured: every readable value is already sealed with it. Checking anyway.');
  }
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: join(dataDirOf(config), 'pg'), migrate: false });
  try {
    const report = await reencryptSealedColumns({
      db: database.db,
      codec,
      batchSize,
      dryRun,
      onBatch: ({ table, rows, resealed }) => console.log(`${table}: batch of ${rows} rows, ${resealed} values re-sealed`),
    });
    const verb = dryRun ? 'would re-seal' : 're-sealed';
    for (const table of report.tables) {
      console.log(
        `${table.table}: ${table.rows} rows; ${verb} ${table.resealed}, already current ${table.alreadyCurrent}, ` +
          `unreadable ${table.unreadable}, still locked ${table.locked}`,
      );
    }
    for (const row of report.unreadableRows) {
      console.error(`Unreadable: ${row.table} ${row.key} ${row.column} (${row.reason})`);
    }
    for (const row of report.lockedRows) {
      console.error(`Still locked (not visited): ${row.table} ${row.key}`);
    }
    if (report.locked > 0) {
      console.error(`${report.locked} rows stayed locked by other transactions; run the command again.`);
      process.exitCode = 1;
    }
    if (report.unreadable > 0) {
      console.error(
        `${report.unreadable} values open with no configured key. Keep every old key in ENCRYPTION_KEYS until they are ` +
          'resolved (reconnecting the account replaces its tokens).',
      );
      process.exitCode = 1;
    }
    if (report.locked === 0 && report.unreadable === 0) {
      console.log(dryRun ? 'Dry run: nothing written.' : 'Done: every sealed value opens with the newest key alone.');
    }
  } finally {
    await database.shutdown();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
