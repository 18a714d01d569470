import { type Kysely, sql } from 'kysely';

// The request rate limits' counters (issue 17, finding 2), shared by every server process: rate-limiter-flexible's
// RateLimiterPostgres keeps one row per bucket and caller (`reads:user:<id>`, `posts:ip:<address>`), its points
// used in the window and when the window ends (epoch ms). The shape is the library's own table, created here rather
// than by the library at start-up so that it is a migration like every other table (and the servers need no DDL).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('request_rate_limits')
    .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
  await db.schema.createIndex('request_rate_limits_expire_idx').on('request_rate_limits').column('expire').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE request_rate_limits`.execute(db);
}
