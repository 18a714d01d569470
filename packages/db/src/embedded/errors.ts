/** Every failure of the embedded Postgres: its message is meant to be printed as it is, one or two lines. */
export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}
