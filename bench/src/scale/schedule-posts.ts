import { publishJobKey, publishPostJob } from '@reelpost/api';
import type { OpenedDatabase } from '@reelpost/db';
import { sql } from 'kysely';
import type { ScaleAccount } from './accounts.js';

// The posts, as `tiktok.post` with `scheduledAt` leaves them — a completed video (or, for the share asked, image) task,
// a SCHEDULED post row, its
// publish job due at that time — written in bulk. Rows and jobs go round-robin over the accounts (every account's
// first post, then every second one…), as many creators scheduling at once would. They are written for a day ahead
// and then, all at once, made due at one moment: however long writing 10,000 takes, the drain starts together.

const BATCH = 1_000;

export interface ScheduledPosts {
  postIds: string[];
  jobIds: string[];
  /** How many of them are photo posts (content/init); the rest are videos (video/init). */
  photoPosts: number;
}

/** Spreads `share` of the slots evenly: slot i is a photo post when floor((i + 1) · share) steps up. */
export function isPhotoSlot(index: number, share: number): boolean {
  return Math.floor((index + 1) * share) > Math.floor(index * share);
}

const DAY_MS = 24 * 3_600_000;

export async function schedulePosts(
  database: OpenedDatabase,
  options: { userId: string; accounts: ScaleAccount[]; postsPerAccount: number; videoUrl: string; photoShare: number; photoUrls: string[] },
): Promise<ScheduledPosts> {
  const later = new Date(Date.now() + DAY_MS);
  const { db } = database;
  const instanceOf = new Map(
    (await db.selectFrom('instance_tiktok_credentials').select(['id', 'instance_id']).execute()).map((row) => [row.id, row.instance_id]),
  );
  const slots = Array.from({ length: options.postsPerAccount }, (_, round) => options.accounts.map((account) => ({ round, account }))).flat();
  const postIds: string[] = [];
  const jobIds: string[] = [];
  let photoPosts = 0;
  for (let start = 0; start < slots.length; start += BATCH) {
    const batch = slots.slice(start, start + BATCH).map((slot, i) => ({ ...slot, photo: isPhotoSlot(start + i, options.photoShare) }));
    photoPosts += batch.filter((slot) => slot.photo).length;
    const tasks = await db
      .insertInto('instance_tasks')
      .values(
        batch.map(({ round, account, photo }) => ({
          instance_id: instanceOf.get(account.id)!,
          type: photo ? 'image_generation' : 'video_generation',
          status: 'completed' as const,
          title: `Scale post ${round + 1} of ${account.openId}`,
          input: JSON.stringify({ prompt: 'bench' }),
          output_data: JSON.stringify(
            photo ? { image_urls: options.photoUrls, media_type: 'image/jpeg' } : { video_url: options.videoUrl, media_type: 'video/mp4', duration: 4, size: 147_635 },
          ),
          execution_steps: JSON.stringify([]),
        })),
      )
      .returning('id')
      .execute();
    const posts = await db
      .insertInto('tiktok_posts')
      .values(
        batch.map(({ round, account, photo }, i) => ({
          task_id: tasks[i]!.id,
          account_id: account.id,
          requested_by: options.userId,
          idempotency_key: `scale-${account.id}-${round}`,
          request_fingerprint: 'scale',
          mode: 'direct' as const,
          status: 'SCHEDULED' as const,
          scheduled_at: later,
          // As tiktok.post stores them: a photo post's info (description, cover, music) and its images, or a video's.
          ...(photo
            ? {
                media_type: 'PHOTO' as const,
                photo_urls: options.photoUrls,
                video_url: null,
                post_info: JSON.stringify({ title: `Scale photos ${round + 1}`, description: 'bench #ai', privacyLevel: 'SELF_ONLY', disableComment: false, photoCoverIndex: 0, autoAddMusic: true }),
              }
            : {
                video_url: options.videoUrl,
                post_info: JSON.stringify({ title: `Scale post ${round + 1}`, privacyLevel: 'SELF_ONLY', disableComment: false, disableDuet: false, disableStitch: false }),
              }),
          privacy_level: 'SELF_ONLY',
        })),
      )
      .returning('id')
      .execute();
    const ids = posts.map((post) => post.id);
    const jobs = await sql<{ id: string }>`
      SELECT (graphile_worker.add_job(${publishPostJob.name}, json_build_object('postId', p.id), run_at => ${later}::timestamptz, job_key => p.key)).id
      FROM unnest(${ids}::uuid[], ${ids.map(publishJobKey)}::text[]) WITH ORDINALITY AS p(id, key, n)
      ORDER BY p.n
    `.execute(db);
    postIds.push(...ids);
    jobIds.push(...jobs.rows.map((job) => job.id));
  }
  return { postIds, jobIds, photoPosts };
}

/** Makes every scheduled post (and its job) due at `at`, in one transaction. */
export async function makeDue(database: OpenedDatabase, scheduled: ScheduledPosts, at: Date): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await trx.updateTable('tiktok_posts').set({ scheduled_at: at }).where('id', 'in', scheduled.postIds).execute();
    await sql`SELECT count(*) FROM graphile_worker.reschedule_jobs(${scheduled.jobIds}::bigint[], run_at => ${at}::timestamptz)`.execute(trx);
  });
}
