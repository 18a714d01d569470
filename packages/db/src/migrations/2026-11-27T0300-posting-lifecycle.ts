import { type Kysely, sql } from 'kysely';

// What following a post to its end needs: a lease so one worker at a time publishes it, the FILE_UPLOAD upload's
// whereabouts (its URL sealed: it is a capability), a log of TikTok webhook deliveries (at-least-once: each is
// applied once), and indexes for the sweeps and for webhooks that name a TikTok user.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tiktok_posts')
    .addColumn('lease_until', 'timestamptz')
    .addColumn('upload_url_encrypted', 'text')
    .addColumn('upload_chunk_size', 'bigint')
    .addColumn('video_size_bytes', 'bigint')
    .addColumn('upload_completed_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('tiktok_posts_scheduled_idx')
    .on('tiktok_posts')
    .column('scheduled_at')
    .where(sql.ref('status'), '=', 'SCHEDULED')
    .execute();
  await db.schema
    .createIndex('tiktok_posts_reserved_idx')
    .on('tiktok_posts')
    .column('created_at')
    .where(sql.ref('status'), '=', 'RESERVED')
    .execute();
  await db.schema.createIndex('instance_tiktok_credentials_open_id_idx').on('instance_tiktok_credentials').column('open_id').execute();

  await db.schema
    .createTable('tiktok_webhook_events')
    // SHA-256 of the raw body: a redelivery of the same event has the same key.
    .addColumn('event_key', 'text', (c) => c.primaryKey())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('user_open_id', 'text')
    .addColumn('publish_id', 'varchar(255)')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('tiktok_webhook_events_publish_idx').on('tiktok_webhook_events').column('publish_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tiktok_webhook_events').execute();
  await db.schema.dropIndex('instance_tiktok_credentials_open_id_idx').execute();
  await db.schema.dropIndex('tiktok_posts_reserved_idx').execute();
  await db.schema.dropIndex('tiktok_posts_scheduled_idx').execute();
  await db.schema
    .alterTable('tiktok_posts')
    .dropColumn('upload_completed_at')
    .dropColumn('video_size_bytes')
    .dropColumn('upload_chunk_size')
    .dropColumn('upload_url_encrypted')
    .dropColumn('lease_until')
    .execute();
}
