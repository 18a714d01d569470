import { type Kysely, sql } from 'kysely';

// TikTok's post.publish.no_longer_publicaly_available: a published post was taken down or made private. The post
// stays PUBLISHED (it was published; the contract has no status for "published, then removed") and records when
// TikTok said so, which the status view turns into its message and hint.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tiktok_posts').addColumn('taken_down_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE tiktok_posts DROP COLUMN taken_down_at`.execute(db);
}
