import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase } from '@reelpost/db';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { usePostingWorld } from '../../test/posting-world.js';
import { type JobWorker, removeJob, startJobWorker } from '../jobs/queue.js';
import { allJobs } from '../jobs/registry.js';
import { nextSweepJobKey, publishJobKey } from './job-definitions.js';
import { runSweepJob, startSweepChain, sweepPosts } from './workers.js';

const world = usePostingWorld();

const basePost = { title: 'Later #ai', privacyLevel: 'SELF_ONLY' as const };

const running: { worker: JobWorker; close: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const { worker, close } of running.splice(0)) {
    await worker.stop();
    await close();
  }
});

/** A worker process of its own: its own pool and deps, the same database and emulator. */
async function startWorker() {
  const pool = createDatabase({ url: world().databaseUrl, max: 5 });
  const deps = { ...world().deps, db: pool.db };
  const worker = await startJobWorker({ pool: pool.pool, jobs: allJobs(deps), concurrency: 2, pollIntervalMs: 100 });
  const entry = { worker, close: () => pool.close() };
  running.push(entry);
  return entry;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (done(value)) return value;
    await sleep(50);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Pending jobs (all, or the one with this key). */
async function jobCount(key?: string): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE ${key ?? null}::text IS NULL OR key = ${key ?? null}`.execute(world().deps.db);
  return rows[0]!.count;
}

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);

async function postRow(taskId: string) {
  return world().deps.db.selectFrom('tiktok_posts').selectAll().where('task_id', '=', taskId).executeTakeFirstOrThrow();
}

describe('scheduled posts', () => {
  it('are SCHEDULED until their time, checked against creator info now', async () => {
    const { caller, task } = await world().creator();
    const status = await caller.tiktok.post({ taskId: task.id, ...basePost, scheduledAt: inSeconds(3600) });
    expect(status).toMatchObject({ status: 'SCHEDULED', publishId: null });
    expect(status.scheduledAt?.getTime()).toBeGreaterThan(Date.now());
    expect(await world().emulator.calls({ endpoint: 'creator_info.query' })).toBe(1);
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(0);
  });

  it('refuse a doomed schedule at once, leaving nothing behind', async () => {
    const { caller, task } = await world().creator();
    const jobsBefore = await jobCount();
    await expect(
      caller.tiktok.post({ taskId: task.id, ...basePost, brandContentToggle: true, scheduledAt: inSeconds(3600) }),
    ).rejects.toMatchObject({ appCode: 'BRANDED_CONTENT_PRIVATE' });
    expect(await jobCount()).toBe(jobsBefore);
    expect(await world().deps.db.selectFrom('tiktok_posts').select('id').where('task_id', '=', task.id).execute()).toEqual([]);
  });

  it('fire once at their time with two workers running', async () => {
    const { caller, task } = await world().creator();
    await caller.tiktok.post({ taskId: task.id, ...basePost, scheduledAt: inSeconds(1) });
    await startWorker();
    await startWorker();

    const sent = await until(() => postRow(task.id), (row) => row.publish_id !== null, 'the scheduled post to be sent');
    expect(sent.status).toBe('PROCESSING');
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(1);
  });

  it('survive a restart: a worker stopped before the time, another started after, sends it once', async () => {
    const { caller, task } = await world().creator();
    await caller.tiktok.post({ taskId: task.id, ...basePost, scheduledAt: inSeconds(1) });
    const first = await startWorker();
    await first.worker.stop();

    await startWorker();
    await until(() => postRow(task.id), (row) => row.publish_id !== null, 'the scheduled post to be sent');
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(1);
  });

  it('are sent by the sweep when their job was lost', async () => {
    const { caller, task } = await world().creator();
    const { postId } = await caller.tiktok.post({ taskId: task.id, ...basePost, scheduledAt: inSeconds(3600) });
    // As if the job had vanished and the time had long passed.
    await removeJob(world().deps.db, publishJobKey(postId));
    await world().deps.db.updateTable('tiktok_posts').set({ scheduled_at: new Date(Date.now() - 120_000) }).where('id', '=', postId).execute();

    expect(await sweepPosts(world().deps)).toMatchObject({ scheduledDue: 1 });
    await startWorker();
    await until(() => postRow(task.id), (row) => row.publish_id !== null, 'the swept post to be sent');
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(1);
  });

  it('cancel cleanly: CANCELLED, their job removed, nothing sent', async () => {
    const { caller, task } = await world().creator();
    const { postId } = await caller.tiktok.post({ taskId: task.id, ...basePost, scheduledAt: inSeconds(3600) });
    expect(await jobCount(publishJobKey(postId))).toBe(1);
    expect(await caller.tiktok.cancel({ taskId: task.id })).toMatchObject({ status: 'CANCELLED' });

    expect(await jobCount(publishJobKey(postId))).toBe(0);
    expect(await sweepPosts(world().deps)).toMatchObject({ scheduledDue: 0, orphanedReservations: 0 });
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(0);
  });

  it('cannot be cancelled once sent: 409 POST_NOT_CANCELLABLE with a hint', async () => {
    const { caller, task } = await world().creator();
    await caller.tiktok.post({ taskId: task.id, ...basePost });
    await expect(caller.tiktok.cancel({ taskId: task.id })).rejects.toMatchObject({
      appCode: 'POST_NOT_CANCELLABLE',
      hint: expect.stringContaining('Only scheduled posts') as string,
    });
  });

  it('can be posted again after a cancel', async () => {
    const { caller, task } = await world().creator();
    await caller.tiktok.post({ taskId: task.id, ...basePost, scheduledAt: inSeconds(3600) });
    await caller.tiktok.cancel({ taskId: task.id });
    expect(await caller.tiktok.post({ taskId: task.id, ...basePost })).toMatchObject({ status: 'PROCESSING' });
  });
});

describe('a reservation whose process died before sending', () => {
  it('is sent by a worker after the sweep finds it, once', async () => {
    const { caller, task, user } = await world().creator();
    const [account] = await caller.tiktok.accounts();
    await world().deps.db
      .insertInto('tiktok_posts')
      .values({
        task_id: task.id,
        account_id: account!.id,
        requested_by: user.id,
        idempotency_key: 'orphaned-reservation',
        request_fingerprint: 'x',
        mode: 'direct',
        status: 'RESERVED',
        post_info: JSON.stringify({ title: 'orphan', privacyLevel: 'SELF_ONLY' }),
        video_url: world().videoUrl('sample'),
        privacy_level: 'SELF_ONLY',
        created_at: new Date(Date.now() - 300_000),
      } as never)
      .execute();
    expect(await sweepPosts(world().deps)).toMatchObject({ orphanedReservations: 1 });
    await startWorker();
    await until(() => postRow(task.id), (row) => row.publish_id !== null, 'the orphaned post to be sent');
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(1);
  });
});

describe('the sweep', () => {
  it('comes back by itself within its interval when that is under graphile-worker’s cron minute', async () => {
    const deps = world().deps;
    await runSweepJob({ ...deps, settings: { ...deps.settings, posting: { ...deps.settings.posting, sweepIntervalMs: 5_000 } } });
    const { rows } = await sql<{ run_at: Date }>`SELECT run_at FROM graphile_worker.jobs WHERE key = ${nextSweepJobKey}`.execute(deps.db);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.run_at.getTime() - Date.now()).toBeGreaterThan(3_000);
    expect(rows[0]!.run_at.getTime() - Date.now()).toBeLessThanOrEqual(5_000);
    // Sweeping again keeps one next sweep pending, never a growing pile.
    await runSweepJob({ ...deps, settings: { ...deps.settings, posting: { ...deps.settings.posting, sweepIntervalMs: 5_000 } } });
    expect(await jobCount(nextSweepJobKey)).toBe(1);
    await removeJob(deps.db, nextSweepJobKey);
  });

  it('is started again by a worker that starts: one sweep due now, replacing the pending one', async () => {
    const deps = world().deps;
    const frequent = { ...deps, settings: { ...deps.settings, posting: { ...deps.settings.posting, sweepIntervalMs: 5_000 } } };
    await runSweepJob(frequent);
    await startSweepChain(frequent);
    const { rows } = await sql<{ run_at: Date }>`SELECT run_at FROM graphile_worker.jobs WHERE key = ${nextSweepJobKey}`.execute(deps.db);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.run_at.getTime()).toBeLessThanOrEqual(Date.now());
    await removeJob(deps.db, nextSweepJobKey);
  });

  it('leaves the minute to the cron at the default interval', async () => {
    await runSweepJob(world().deps);
    await startSweepChain(world().deps);
    expect(await jobCount(nextSweepJobKey)).toBe(0);
  });
});
