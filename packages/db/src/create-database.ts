import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { preparingPool, runPreparedOnPool } from './prepared-statements.js';
import type { Database } from './schema.js';
import { parseTimestamptz, TIMESTAMPTZ_OID } from './timestamps.js';

export interface CreateDatabaseOptions {
  url: string;
  /** Pool size; defaults to 10, node-postgres' own default. */
  max?: number;
  applicationName?: string;
  /**
   * Run hot reads (`prepareQuery`) as named prepared statements; default true. Turn off behind a connection pooler in
   * transaction mode that cannot carry them (PgBouncer before 1.21, or without `max_prepared_statements`).
   */
  preparedStatements?: boolean;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  pool: pg.Pool;
  close: () => Promise<void>;
}

const INT8_OID = 20;

// Sizes, byte counters and counts fit a double (TikTok's limit is 4 GB), so bigint columns read as numbers; this
// applies to this pool only, not to every pg client in the process.
const parseInt8 = (value: string): number => Number(value);
// timestamptz values are read by parseTimestamptz (timestamps.ts): the same Dates, without postgres-date's
// regular expressions on every value.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format: 'text' | 'binary' = 'text'): unknown =>
    format === 'text' && oid === INT8_OID
      ? parseInt8
      : format === 'text' && oid === TIMESTAMPTZ_OID
        ? parseTimestamptz
        : (pg.types.getTypeParser(oid, format) as unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

export function createDatabase({ url, max = 10, applicationName = 'reelpost', preparedStatements = true }: CreateDatabaseOptions): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max, application_name: applicationName, types });
  // A client losing its connection (a database restart) must not crash the process: idle ones are replaced by the
  // pool, and a checked-out one fails the query it was running, which its caller handles.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparedStatements ? preparingPool(pool) : pool }) });
  // Prepared reads skip Kysely's executor (prepared-statements.ts): this handle has no plugins for them to miss.
  runPreparedOnPool(db, pool, preparedStatements);
  let closed: Promise<void> | undefined;
  return {
    db,
    pool,
    // Kysely's destroy ends the pool; closing twice is harmless.
    close: () => (closed ??= db.destroy()),
  };
}
