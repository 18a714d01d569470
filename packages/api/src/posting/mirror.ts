import type { Database } from '@reelpost/db';
import { type Kysely, sql } from 'kysely';

/**
 * Copies the task's latest post into the task's tiktok_* columns, which existing frontends read. Runs in the same
 * transaction as every post change, so the two never disagree.
 */
export async function mirrorLatestPostToTask(db: Kysely<Database>, taskId: string): Promise<void> {
  await sql`
    UPDATE instance_tasks AS t SET
      tiktok_publish_id = p.publish_id,
      tiktok_post_status = CASE p.status WHEN 'RESERVED' THEN 'PROCESSING' WHEN 'UNKNOWN' THEN 'FAILED' ELSE p.status END,
      tiktok_post_url = p.public_url,
      tiktok_fail_reason = CASE WHEN p.status = 'UNKNOWN' THEN coalesce(p.fail_reason, 'outcome_unknown') ELSE p.fail_reason END,
      tiktok_last_checked_at = p.last_checked_at,
      scheduled_post_time = p.scheduled_at,
      tiktok_post_data = jsonb_build_object(
        'postId', p.id,
        'accountId', p.account_id,
        'mode', p.mode,
        'privacyLevel', p.privacy_level,
        'postInfo', p.post_info,
        'publicPostIds', to_jsonb(p.public_post_ids),
        'updatedAt', p.updated_at
      ),
      updated_at = now()
    FROM (
      SELECT * FROM tiktok_posts WHERE task_id = ${taskId} ORDER BY created_at DESC, id DESC LIMIT 1
    ) AS p
    WHERE t.id = ${taskId}`.execute(db);
}
