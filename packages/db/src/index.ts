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
export { POST_EVENTS_CHANNEL } from './migrations/2026-12-06T0300-post-events.js';
export {
  DatabaseStartupError,
  openDatabase,
  parseDatabaseUrl,
  withDatabaseName,
  type OpenDatabaseOptions,
  type OpenedDatabase,
} from './open-database.js';
export { prepareQuery, type PreparedQuery, type PreparedValues } from './prepared-query.js';
export { findProjectRoot } from './project-root.js';
export { exitOnStartupFailure, isStartupFailure } from './startup-failure.js';
export * from './schema.js';
