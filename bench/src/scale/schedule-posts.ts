import { publishJobKey, publishPostJob } from '@reelpost/api';
import type { OpenedDatabase } from '@reelpost/db';
import { sql } from 'kysely';
import type { ScaleAccount } from './accounts.js';

// The posts, as `tiktok.post` with `scheduledAt` leaves them — a completed video task, a SCHEDULED post row, its
// publish job due at that time — written in bulk. Rows and jobs go round-robin over the accounts (every account's
// first post, then every second one…), as many creators scheduling at once would.

const BATCH = 1_000;

export async function schedulePosts(
  database: OpenedDatabase,
  options: { userId: string; accounts: ScaleAccount[]; postsPerAccount: number; videoUrl: string; at: Date },
): Promise<string[]> {
  const { db } = database;
  const instanceOf = new Map(
    (await db.selectFrom('instance_tiktok_credentials').select(['id', 'instance_id']).execute()).map((row) => [row.id, row.instance_id]),
  );
  const slots = Array.from({ length: options.postsPerAccount }, (_, round) => options.accounts.map((account) => ({ round, account }))).flat();
  const postIds: string[] = [];
  for (let start = 0; start < slots.length; start += BATCH) {
    const batch = slots.slice(start, start + BATCH);
    const tasks = await db
      .insertInto('instance_tasks')
      .values(
        batch.map(({ round, account }) => ({
          instance_id: instanceOf.get(account.id)!,
          type: 'video_generation',
          status: 'completed' as const,
          title: `Scale post ${round + 1} of ${account.openId}`,
          input: JSON.stringify({ prompt: 'bench' }),
          output_data: JSON.stringify({ video_url: options.videoUrl, media_type: 'video/mp4', duration: 4, size: 147_635 }),
          execution_steps: JSON.stringify([]),
        })),
      )
      .returning('id')
      .execute();
    const posts = await db
      .insertInto('tiktok_posts')
      .values(
        batch.map(({ round, account }, i) => ({
          task_id: tasks[i]!.id,
          account_id: account.id,
          requested_by: options.userId,
          idempotency_key: `scale-${account.id}-${round}`,
          request_fingerprint: 'scale',
          mode: 'direct' as const,
          status: 'SCHEDULED' as const,
          scheduled_at: options.at,
          post_info: JSON.stringify({ title: `Scale post ${round + 1}`, privacyLevel: 'SELF_ONLY', disableComment: false, disableDuet: false, disableStitch: false }),
          video_url: options.videoUrl,
          privacy_level: 'SELF_ONLY',
        })),
      )
      .returning('id')
      .execute();
    const ids = posts.map((post) => post.id);
    await sql`
      SELECT graphile_worker.add_job(${publishPostJob.name}, json_build_object('postId', p.id), run_at => ${options.at}::timestamptz, job_key => p.key)
      FROM unnest(${ids}::uuid[], ${ids.map(publishJobKey)}::text[]) WITH ORDINALITY AS p(id, key, n)
      ORDER BY p.n
    `.execute(db);
    postIds.push(...ids);
  }
  return postIds;
}
