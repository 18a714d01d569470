export { createDatabase, type CreateDatabaseOptions, type DatabaseHandle } from './create-database.js';
export {
  EmbeddedPostgresError,
  findFreePort,
  startEmbeddedPostgres,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
} from './embedded-postgres.js';
export { describeDatabaseError, isDatabaseUnavailable, redactDatabaseUrl } from './errors.js';
export { migrateDown, migrateToLatest, MigrationError, pendingMigrations } from './migrate.js';
export { migrations } from './migrations/index.js';
export {
  DatabaseStartupError,
  openDatabase,
  parseDatabaseUrl,
  withDatabaseName,
  type OpenDatabaseOptions,
  type OpenedDatabase,
} from './open-database.js';
export { prepareQuery, type PreparedQuery } from './prepared-query.js';
export { findProjectRoot } from './project-root.js';
export * from './schema.js';
