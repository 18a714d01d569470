import { type Kysely, type MigrationResultSet, Migrator } from 'kysely';
import { describeDatabaseError } from './errors.js';
import { migrations } from './migrations/index.js';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    message: string,
    readonly migrationName: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// Migrations describe the schema at their own point in time, so they (and the Migrator) see the database untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyKysely = Kysely<any>;

function createMigrator(db: AnyKysely): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
}

function settle({ error, results }: MigrationResultSet, direction: string): string[] {
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const where = failed ? ` in ${failed}` : '';
    throw new MigrationError(
      `Migration ${direction} failed${where}: ${describeDatabaseError(error)}. Nothing was applied; fix the cause and start again.`,
      failed,
      { cause: error },
    );
  }
  return (results ?? []).map((result) => result.migrationName);
}

/**
 * Brings the schema to the newest migration. Kysely's Migrator takes a Postgres advisory lock, so processes starting
 * together take turns and all end on the same schema; pending migrations run in one transaction, so a failure leaves
 * the schema as it was.
 */
export async function migrateToLatest(db: AnyKysely): Promise<string[]> {
  return settle(await createMigrator(db).migrateToLatest(), 'up');
}

/** Undoes the most recent migration; used by tests and by operators rolling back a release. */
export async function migrateDown(db: AnyKysely): Promise<string[]> {
  return settle(await createMigrator(db).migrateDown(), 'down');
}

export async function pendingMigrations(db: AnyKysely): Promise<string[]> {
  const all = await createMigrator(db).getMigrations();
  return all.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}
