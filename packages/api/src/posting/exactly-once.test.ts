import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase } from '@reelpost/db';
import { describe, expect, it } from 'vitest';
import { contextFor, sessionFor } from '../../test/deps.js';
import { usePostingWorld } from '../../test/posting-world.js';
import { AppError } from '../errors.js';
import { createCaller } from '../root.js';
import { type PublishOutcome, publishPost } from './publish.js';
import { sweepPosts } from './workers.js';

const world = usePostingWorld();

const basePost = { title: 'Made by an agent #ai', privacyLevel: 'SELF_ONLY' as const };

async function postsOf(taskId: string) {
  return world().deps.db.selectFrom('tiktok_posts').selectAll().where('task_id', '=', taskId).execute();
}

describe('exactly once toward TikTok', () => {
  it('50 concurrent identical posts from two processes: one init, one row, all answered with the same post', async () => {
    const { task, user } = await world().creator();
    // A second pool stands for a second server process.
    const other = createDatabase({ url: world().databaseUrl, max: 10 });
    try {
      const callers = [
        createCaller(contextFor(world().deps, sessionFor(user.id))),
        createCaller(contextFor({ ...world().deps, db: other.db }, sessionFor(user.id))),
      ];
      const answers = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => callers[i % 2]!.tiktok.post({ taskId: task.id, ...basePost })),
      );
      const rejected = answers.filter((answer) => answer.status === 'rejected');
      expect(rejected).toEqual([]);
      const postIds = new Set(answers.map((answer) => (answer as PromiseFulfilledResult<{ postId: string }>).value.postId));
      expect(postIds.size).toBe(1);
      expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(1);
      expect(await postsOf(task.id)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('concurrent posts with different parameters: one wins, the others get 409, none a 500', async () => {
    const { task, caller } = await world().creator();
    const answers = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => caller.tiktok.post({ taskId: task.id, ...basePost, title: `variant ${i}` })),
    );
    const fulfilled = answers.filter((answer) => answer.status === 'fulfilled');
    const rejected = answers.filter((answer): answer is PromiseRejectedResult => answer.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    for (const { reason } of rejected) {
      expect(reason).toBeInstanceOf(AppError);
      expect(['POST_IN_PROGRESS', 'ALREADY_POSTED']).toContain((reason as AppError).appCode);
    }
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(1);
  });

  it('repeating a request with the same idempotency key returns the same post', async () => {
    const { task, caller } = await world().creator();
    const first = await caller.tiktok.post({ taskId: task.id, ...basePost, idempotencyKey: 'key-0001-abc' });
    const again = await caller.tiktok.post({ taskId: task.id, ...basePost, idempotencyKey: 'key-0001-abc' });
    expect(again.postId).toBe(first.postId);
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(1);
  });

  it('refuses a different post once the first is published: 409 ALREADY_POSTED', async () => {
    const { task, caller } = await world().creator();
    await caller.tiktok.post({ taskId: task.id, ...basePost });
    await world().emulator.advance(60_000);
    await caller.tiktok.status({ taskId: task.id });
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost, title: 'another' })).rejects.toMatchObject({ appCode: 'ALREADY_POSTED' });
  });

  it('lets a failed post be tried again', async () => {
    const { task, caller } = await world().creator();
    await world().emulator.failNextPublish('video_pull_failed');
    await caller.tiktok.post({ taskId: task.id, ...basePost });
    await world().emulator.advance(60_000);
    expect(await caller.tiktok.status({ taskId: task.id })).toMatchObject({ status: 'FAILED', failReason: 'video_pull_failed' });

    const retried = await caller.tiktok.post({ taskId: task.id, ...basePost });
    expect(retried.status).toBe('PROCESSING');
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(2);
    expect(await postsOf(task.id)).toHaveLength(1);
  });
});

describe('an init whose outcome is unknown', () => {
  it('is never sent again: the caller hears POST_OUTCOME_UNKNOWN, and repeats get the same answer', async () => {
    const { task, caller } = await world().creator();
    await world().emulator.failNext('video.init', 'drop-after-commit');

    await expect(caller.tiktok.post({ taskId: task.id, ...basePost })).rejects.toMatchObject({ appCode: 'POST_OUTCOME_UNKNOWN' });
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost })).rejects.toMatchObject({ appCode: 'POST_OUTCOME_UNKNOWN' });
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(1);
    expect(await caller.tiktok.status({ taskId: task.id })).toMatchObject({ status: 'FAILED', outcomeUnknown: true, failReason: 'outcome_unknown' });
  });

  it('is sent again only when the caller asks with a new idempotency key', async () => {
    const { task, caller } = await world().creator();
    await world().emulator.failNext('video.init', 'timeout');
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost })).rejects.toMatchObject({ appCode: 'POST_OUTCOME_UNKNOWN' });

    const retried = await caller.tiktok.post({ taskId: task.id, ...basePost, idempotencyKey: 'second-try-after-unknown' });
    expect(retried.status).toBe('PROCESSING');
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(2);
  });

  it('after a crash between sending and recording, becomes UNKNOWN at the next sweep instead of being re-sent', async () => {
    const { task, caller, user } = await world().creator();
    const { deps } = world();
    // The state a process leaves when it dies right after sending the init: initiated, no publish_id, lease lapsed.
    const [post] = await deps.db
      .insertInto('tiktok_posts')
      .values({
        task_id: task.id,
        account_id: (await caller.tiktok.accounts())[0]!.id,
        requested_by: user.id,
        idempotency_key: 'crashed-mid-init',
        request_fingerprint: 'x',
        mode: 'direct',
        status: 'RESERVED',
        post_info: JSON.stringify({ title: 't', privacyLevel: 'SELF_ONLY' }),
        video_url: world().videoUrl('sample'),
        privacy_level: 'SELF_ONLY',
        initiated_at: new Date(Date.now() - 300_000),
        lease_until: new Date(Date.now() - 1_000),
      })
      .returningAll()
      .execute();

    expect(await sweepPosts(deps)).toMatchObject({ lostInits: 1, orphanedReservations: 0 });
    expect(await caller.tiktok.status({ taskId: task.id })).toMatchObject({ postId: post!.id, status: 'FAILED', outcomeUnknown: true });
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(0);
  });
});

describe('a worker that lost its claim', () => {
  async function reservedPost(key: string) {
    const { task, caller, user } = await world().creator();
    const [post] = await world()
      .deps.db.insertInto('tiktok_posts')
      .values({
        task_id: task.id,
        account_id: (await caller.tiktok.accounts())[0]!.id,
        requested_by: user.id,
        idempotency_key: key,
        request_fingerprint: 'x',
        mode: 'direct',
        status: 'RESERVED',
        post_info: JSON.stringify({ title: 'fenced', privacyLevel: 'SELF_ONLY' }),
        video_url: world().videoUrl('sample'),
        privacy_level: 'SELF_ONLY',
      })
      .returningAll()
      .execute();
    return post!;
  }

  /**
   * A first worker claims the post and stalls on creator info (TikTok hangs; its client retries after a timeout).
   * Wrapped, so the caller decides when to wait for its outcome.
   */
  async function stalledWorker(postId: string): Promise<{ outcome: Promise<PublishOutcome> }> {
    const { deps } = world();
    await world().emulator.failNext('creator_info.query', 'timeout');
    const outcome = publishPost(deps, postId, 'job');
    for (let i = 0; i < 100; i++) {
      const row = await deps.db.selectFrom('tiktok_posts').select('attempts').where('id', '=', postId).executeTakeFirstOrThrow();
      if (row.attempts === 1) break;
      await sleep(10);
    }
    return { outcome };
  }

  it('does not fail the post when its own checks then refuse it: the newer claim stands', async () => {
    const post = await reservedPost('stalled-then-refused');
    const { deps } = world();
    const stalled = await stalledWorker(post.id);
    // While it waits, its lease runs out and another worker claims the post (and is sending it)…
    await deps.db
      .updateTable('tiktok_posts')
      .set({ attempts: 2, lease_until: new Date(Date.now() + 60_000) })
      .where('id', '=', post.id)
      .execute();
    // …and by the time the first one checks the video against creator info, it is too long for this creator.
    await deps.db
      .updateTable('instance_tasks')
      .set({ output_data: JSON.stringify({ video_url: world().videoUrl('sample'), media_type: 'video/mp4', duration: 36_000 }) })
      .where('id', '=', post.task_id)
      .execute();
    expect(await stalled.outcome).toMatchObject({ kind: 'skipped' });
    const row = await deps.db.selectFrom('tiktok_posts').selectAll().where('id', '=', post.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'RESERVED', attempts: 2, fail_reason: null });
  });

  it('does not send once another worker took the post over after its lease ran out (the claim is a fence)', async () => {
    const post = await reservedPost('stalled-worker');
    const { deps } = world();
    const stalled = await stalledWorker(post.id);
    // Its lease runs out meanwhile, and a second worker (a sweep's job) claims the post and sends it.
    await deps.db.updateTable('tiktok_posts').set({ lease_until: new Date(Date.now() - 1_000) }).where('id', '=', post.id).execute();
    expect(await publishPost(deps, post.id, 'job')).toMatchObject({ kind: 'done', post: { status: 'PROCESSING', attempts: 2 } });
    // The first one wakes up: its claim is no longer the current one, so it sends nothing.
    expect(await stalled.outcome).toMatchObject({ kind: 'skipped' });
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(1);
  });
});
