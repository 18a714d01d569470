import { sql } from 'kysely';
import { type AnyJobRegistration, enqueueJob, register } from '../jobs/queue.js';
import {
  checkPostStatusJob,
  nextSweepJobKey,
  publishJobKey,
  publishPostJob,
  statusJobKey,
  sweepPostsJob,
  uploadJobKey,
  uploadPostJob,
} from './job-definitions.js';
import { movePost, movePosts } from './post-state.js';
import { type PostingDeps, publishPost } from './publish.js';
import { expireOverdueProcessing, refreshPostStatus } from './status.js';
import { uploadPostVideo } from './upload.js';

/** A scheduled post whose time has come: SCHEDULED → RESERVED (once), then sent like any other. */
async function releaseScheduledPost(deps: PostingDeps, postId: string): Promise<void> {
  await movePost(deps.db, postId, 'release', { updated_at: deps.clock.now() }, { fence: (eb) => eb('scheduled_at', '<=', sql<Date>`now()`) });
}

export async function runPublishJob(deps: PostingDeps, postId: string): Promise<void> {
  await releaseScheduledPost(deps, postId);
  const outcome = await publishPost(deps, postId, 'job');
  if (outcome.kind === 'retry_later') {
    await enqueueJob(deps.db, publishPostJob, { postId }, { runAt: new Date(Date.now() + outcome.afterMs), jobKey: publishJobKey(postId) });
  }
}

export async function runStatusJob(deps: PostingDeps, postId: string): Promise<void> {
  if (await expireOverdueProcessing(deps, postId)) return;
  // A poll tolerates a check a moment ago (a person asking); it only needs to not repeat one in flight.
  const refreshed = await refreshPostStatus(deps, postId, 1_000);
  const post = refreshed.post;
  if (!post?.next_check_at) return;
  const runAt = refreshed.kind === 'deferred' ? new Date(Date.now() + refreshed.retryAfterMs) : post.next_check_at;
  await enqueueJob(deps.db, checkPostStatusJob, { postId }, { runAt, jobKey: statusJobKey(postId) });
}

export async function runUploadJob(deps: PostingDeps, postId: string): Promise<void> {
  const outcome = await uploadPostVideo(deps, postId);
  if (typeof outcome === 'object') {
    await enqueueJob(deps.db, uploadPostJob, { postId }, { runAt: new Date(Date.now() + outcome.retryAfterMs), jobKey: uploadJobKey(postId) });
  }
}

export interface SweepReport {
  scheduledDue: number;
  orphanedReservations: number;
  lostInits: number;
  lostChecks: number;
  expired: number;
  unfinishedUploads: number;
}

/**
 * The safety net under the jobs: anything whose job was lost with a crashed worker is found here by its own state
 * and given a new job; an init whose process died after sending it becomes UNKNOWN (never re-sent); processing
 * past its deadline ends FAILED. Runs every minute on one worker.
 */
export async function sweepPosts(deps: PostingDeps): Promise<SweepReport> {
  const { db } = deps;
  const report: SweepReport = { scheduledDue: 0, orphanedReservations: 0, lostInits: 0, lostChecks: 0, expired: 0, unfinishedUploads: 0 };
  const graceMs = deps.settings.posting.orphanedReservationMs;
  const before = (ms: number) => sql<Date>`now() - ${sql.lit(`${ms} milliseconds`)}::interval`;

  const due = await db
    .selectFrom('tiktok_posts')
    .select('id')
    .where('status', '=', 'SCHEDULED')
    .where('scheduled_at', '<', before(graceMs))
    .execute();
  const orphaned = await db
    .selectFrom('tiktok_posts')
    .select('id')
    .where('status', '=', 'RESERVED')
    .where('initiated_at', 'is', null)
    .where('created_at', '<', before(graceMs))
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`)]))
    .execute();
  for (const { id } of [...due, ...orphaned]) {
    await enqueueJob(db, publishPostJob, { postId: id }, { jobKey: publishJobKey(id) });
  }
  report.scheduledDue = due.length;
  report.orphanedReservations = orphaned.length;

  const lost = await movePosts(db, 'loseWorker', { fail_reason: 'outcome_unknown', lease_until: null, updated_at: deps.clock.now() }, (eb) =>
    eb.and([eb('initiated_at', 'is not', null), eb('publish_id', 'is', null), eb('lease_until', '<', sql<Date>`now()`)]),
  );
  report.lostInits = lost.length;

  const overdue = await db.selectFrom('tiktok_posts').select('id').where('status', '=', 'PROCESSING').where('check_deadline_at', '<', sql<Date>`now()`).execute();
  for (const { id } of overdue) if (await expireOverdueProcessing(deps, id)) report.expired++;

  const unchecked = await db
    .selectFrom('tiktok_posts')
    .select('id')
    .where('next_check_at', '<', before(graceMs))
    .where('publish_id', 'is not', null)
    .execute();
  for (const { id } of unchecked) await enqueueJob(db, checkPostStatusJob, { postId: id }, { jobKey: statusJobKey(id) });
  report.lostChecks = unchecked.length;

  const uploads = await db
    .selectFrom('tiktok_posts')
    .select('id')
    .where('source', '=', 'FILE_UPLOAD')
    .where('status', '=', 'PROCESSING')
    .where('upload_completed_at', 'is', null)
    .where('upload_url_encrypted', 'is not', null)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`)]))
    .where('updated_at', '<', before(graceMs))
    .execute();
  for (const { id } of uploads) await enqueueJob(db, uploadPostJob, { postId: id }, { jobKey: uploadJobKey(id) });
  report.unfinishedUploads = uploads.length;
  return report;
}

/** When sweeps come more often than graphile-worker's minute cron can: the next one, as a keyed job (one pending). */
async function scheduleSweep(deps: PostingDeps, runAt: Date): Promise<void> {
  if (deps.settings.posting.sweepIntervalMs < 60_000) await enqueueJob(deps.db, sweepPostsJob, {}, { runAt, jobKey: nextSweepJobKey });
}

/**
 * One sweep, then the next. The chain is scheduled before sweeping, so a sweep that fails or dies with its worker
 * does not end it; a chain that broke anyway (a worker killed before it scheduled the next, the database away) is
 * restarted by the next worker to start, or by the minute cron.
 */
export async function runSweepJob(deps: PostingDeps): Promise<SweepReport> {
  await scheduleSweep(deps, new Date(Date.now() + deps.settings.posting.sweepIntervalMs));
  return sweepPosts(deps);
}

/** A starting worker (re)starts the chain of frequent sweeps: one sweep now, replacing any pending one. */
export function startSweepChain(deps: PostingDeps): Promise<void> {
  // The job queue runs on real time, whatever clock the posting code is given.
  return scheduleSweep(deps, new Date());
}

/** The posting jobs for a worker: publishing, uploading, status checks, and the sweep (every minute or sooner). */
export function postingJobs(deps: PostingDeps): AnyJobRegistration[] {
  return [
    register(publishPostJob, ({ postId }) => runPublishJob(deps, postId)),
    register(uploadPostJob, ({ postId }) => runUploadJob(deps, postId)),
    register(checkPostStatusJob, ({ postId }) => runStatusJob(deps, postId)),
    register(sweepPostsJob, async () => void (await runSweepJob(deps)), '* * * * *'),
  ];
}
