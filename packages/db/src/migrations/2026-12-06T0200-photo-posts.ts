import { type Kysely, sql } from 'kysely';

// Photo posts (issue 19): a post is a video or a carousel of 1–35 images. The row records which (`media_type`) and,
// for photos, the image URLs in order as TikTok was given them; a photo post has no video URL. The check keeps the
// two shapes apart so no code path meets a post with neither.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tiktok_posts')
    .addColumn('media_type', 'text', (column) => column.notNull().defaultTo('VIDEO').check(sql`media_type IN ('VIDEO', 'PHOTO')`))
    .addColumn('photo_urls', sql`text[]`)
    .execute();
  await sql`ALTER TABLE tiktok_posts ALTER COLUMN video_url DROP NOT NULL`.execute(db);
  await sql`
    ALTER TABLE tiktok_posts ADD CONSTRAINT tiktok_posts_media_shape CHECK (
      (media_type = 'VIDEO' AND video_url IS NOT NULL AND photo_urls IS NULL)
      OR (media_type = 'PHOTO' AND video_url IS NULL AND cardinality(photo_urls) BETWEEN 1 AND 35)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM tiktok_posts WHERE media_type = 'PHOTO'`.execute(db);
  await sql`ALTER TABLE tiktok_posts DROP CONSTRAINT tiktok_posts_media_shape`.execute(db);
  await sql`ALTER TABLE tiktok_posts ALTER COLUMN video_url SET NOT NULL`.execute(db);
  await sql`ALTER TABLE tiktok_posts DROP COLUMN photo_urls, DROP COLUMN media_type`.execute(db);
}
