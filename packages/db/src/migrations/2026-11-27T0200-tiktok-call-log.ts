import { type Kysely, sql } from 'kysely';

// TikTok limits each endpoint per user access token over a sliding minute. Every call we are about to make is
// logged here first, so all processes share one count (see the api package's rate limiter).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tiktok_api_calls')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('instance_tiktok_credentials.id').onDelete('cascade'))
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('called_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('tiktok_api_calls_window_idx')
    .on('tiktok_api_calls')
    .columns(['account_id', 'endpoint', 'called_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tiktok_api_calls').execute();
}
