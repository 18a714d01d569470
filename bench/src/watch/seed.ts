import type { Database } from '@reelpost/db';
import { type Kysely, sql } from 'kysely';

export interface WatchedPost {
  postId: string;
  taskId: string;
  ownerId: string;
  email: string;
}

/**
 * `users` demo users (signed in at the demo server's POST /dev/token), each with one instance, one connected
 * account, one completed task and its post, PROCESSING: the posts the watchers follow.
 */
export async function seedWatchedPosts(db: Kysely<Database>, users: number): Promise<WatchedPost[]> {
  const run = `watch-${Date.now().toString(36)}`;
  await db.transaction().execute(async (tx) => {
    await sql`INSERT INTO users (sub, email) SELECT 'demo|' || ${run} || '-' || g || '@example.com', ${run} || '-' || g || '@example.com' FROM generate_series(1, ${users}::int) g`.execute(tx);
    await sql`INSERT INTO instances (owner_id, name) SELECT id, 'Studio' FROM users WHERE starts_with(email, ${run})`.execute(tx);
    await sql`
      INSERT INTO instance_tiktok_credentials (instance_id, open_id, username, access_token_encrypted, refresh_token_encrypted, is_default)
      SELECT i.id, 'open-' || i.id, 'creator', 'gAAAA-access', 'gAAAA-refresh', true
      FROM instances i JOIN users u ON u.id = i.owner_id WHERE starts_with(u.email, ${run})`.execute(tx);
    await sql`
      INSERT INTO instance_tasks (instance_id, type, status, title, output_data)
      SELECT i.id, 'video_generation', 'completed', 'Watched', '{"video_url": "https://storage.example.com/v.mp4"}'::jsonb
      FROM instances i JOIN users u ON u.id = i.owner_id WHERE starts_with(u.email, ${run})`.execute(tx);
    await sql`
      INSERT INTO tiktok_posts (task_id, account_id, requested_by, idempotency_key, request_fingerprint, mode, status, publish_id, post_info, video_url, privacy_level)
      SELECT t.id, a.id, i.owner_id, 'idem-' || t.id, 'fingerprint', 'direct', 'PROCESSING', 'v_pub_' || t.id, '{"title": "A post"}', 'https://storage.example.com/v.mp4', 'SELF_ONLY'
      FROM instance_tasks t JOIN instances i ON i.id = t.instance_id JOIN users u ON u.id = i.owner_id
      JOIN instance_tiktok_credentials a ON a.instance_id = i.id WHERE starts_with(u.email, ${run})`.execute(tx);
  });
  return db
    .selectFrom('tiktok_posts as p')
    .innerJoin('users as u', 'u.id', 'p.requested_by')
    .where(sql<boolean>`starts_with(u.email, ${run})`)
    .select(['p.id as postId', 'p.task_id as taskId', 'u.id as ownerId', 'u.email'])
    .execute() as Promise<WatchedPost[]>;
}
