import { EmbeddedPostgresError } from './embedded/errors.js';
import { MigrationError } from './migrate.js';
import { DatabaseStartupError } from './open-database.js';

/**
 * Whether an error is one of the database's start-up failures, whose message is written to be printed as it is
 * (one or two lines saying what happened and what to do): entry points print it and exit, without a stack.
 */
export function isStartupFailure(error: unknown): error is Error {
  return error instanceof EmbeddedPostgresError || error instanceof DatabaseStartupError || error instanceof MigrationError;
}

/** An entry point's last word on a start-up failure: its message alone, exit code 1. Other errors are rethrown. */
export function exitOnStartupFailure(error: unknown): never {
  if (!isStartupFailure(error)) throw error;
  console.error(error.message);
  process.exit(1);
}
