import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../src/testing/database.js';
import { insertAccount, seedOwnerWithTask } from './fixtures.js';

const database = useTestDatabase();

function postFor(taskId: string, accountId: string, requestedBy: string, key = 'key-1') {
  return {
    task_id: taskId,
    account_id: accountId,
    requested_by: requestedBy,
    idempotency_key: key,
    request_fingerprint: 'fp',
    mode: 'direct' as const,
    status: 'RESERVED' as const,
    post_info: JSON.stringify({ title: 'hello' }),
    video_url: 'https://videos.example.com/v.mp4',
    privacy_level: 'SELF_ONLY',
  };
}

describe('database constraints', () => {
  it('refuses a second post of the same task to the same account', async () => {
    const { db } = database();
    const { user, instance, task } = await seedOwnerWithTask(db);
    const account = await insertAccount(db, instance.id, 'open-1', true);
    await db.insertInto('tiktok_posts').values(postFor(task.id, account.id, user.id)).execute();

    await expect(
      db.insertInto('tiktok_posts').values(postFor(task.id, account.id, user.id, 'key-2')).execute(),
    ).rejects.toMatchObject({ code: '23505', constraint: 'tiktok_posts_task_account_key' });
  });

  it('allows posting the same task to a second account', async () => {
    const { db } = database();
    const { user, instance, task } = await seedOwnerWithTask(db);
    const first = await insertAccount(db, instance.id, 'open-a', true);
    const second = await insertAccount(db, instance.id, 'open-b');
    await db.insertInto('tiktok_posts').values(postFor(task.id, first.id, user.id)).execute();
    await db.insertInto('tiktok_posts').values(postFor(task.id, second.id, user.id)).execute();

    const rows = await db.selectFrom('tiktok_posts').where('task_id', '=', task.id).select('id').execute();
    expect(rows).toHaveLength(2);
  });

  it('refuses two default accounts in one instance', async () => {
    const { db } = database();
    const { instance } = await seedOwnerWithTask(db);
    await insertAccount(db, instance.id, 'open-x', true);

    await expect(insertAccount(db, instance.id, 'open-y', true)).rejects.toMatchObject({
      code: '23505',
      constraint: 'instance_tiktok_credentials_one_default',
    });
  });

  it('allows one default in each of two instances', async () => {
    const { db } = database();
    const a = await seedOwnerWithTask(db, 'a');
    const b = await seedOwnerWithTask(db, 'b');
    await insertAccount(db, a.instance.id, 'open-1', true);
    await expect(insertAccount(db, b.instance.id, 'open-1', true)).resolves.toBeDefined();
  });

  it('refuses the same TikTok user twice in one instance', async () => {
    const { db } = database();
    const { instance } = await seedOwnerWithTask(db);
    await insertAccount(db, instance.id, 'open-dup');
    await expect(insertAccount(db, instance.id, 'open-dup')).rejects.toMatchObject({ code: '23505' });
  });

  it('refuses a task status outside the domain', async () => {
    const { db } = database();
    const { instance } = await seedOwnerWithTask(db);
    await expect(
      db
        .insertInto('instance_tasks')
        // @ts-expect-error the type already forbids it; the database must too
        .values({ instance_id: instance.id, type: 'video_generation', status: 'exploded' })
        .execute(),
    ).rejects.toMatchObject({ code: '23514', constraint: 'instance_tasks_status_check' });
  });

  it('refuses an active account without tokens', async () => {
    const { db } = database();
    const { instance } = await seedOwnerWithTask(db);
    await expect(
      db.insertInto('instance_tiktok_credentials').values({ instance_id: instance.id, open_id: 'no-tokens' }).execute(),
    ).rejects.toMatchObject({ code: '23514', constraint: 'instance_tiktok_credentials_active_has_tokens' });
  });

  it('refuses a scheduled post without a time', async () => {
    const { db } = database();
    const { user, instance, task } = await seedOwnerWithTask(db);
    const account = await insertAccount(db, instance.id, 'open-s', true);
    await expect(
      db
        .insertInto('tiktok_posts')
        .values({ ...postFor(task.id, account.id, user.id), status: 'SCHEDULED' })
        .execute(),
    ).rejects.toMatchObject({ code: '23514', constraint: 'tiktok_posts_scheduled_has_time' });
  });

  it('keeps an account with posts from being deleted', async () => {
    const { db } = database();
    const { user, instance, task } = await seedOwnerWithTask(db);
    const account = await insertAccount(db, instance.id, 'open-k', true);
    await db.insertInto('tiktok_posts').values(postFor(task.id, account.id, user.id)).execute();
    await expect(
      db.deleteFrom('instance_tiktok_credentials').where('id', '=', account.id).execute(),
    ).rejects.toMatchObject({ code: '23503' });
  });

  it('reads bigint columns as numbers', async () => {
    const { db } = database();
    const { instance, task } = await seedOwnerWithTask(db);
    const media = await db
      .insertInto('instance_media')
      .values({ instance_id: instance.id, task_id: task.id, url: 'https://x/y.mp4', size_bytes: 4_000_000_000 })
      .returning('size_bytes')
      .executeTakeFirstOrThrow();
    expect(media.size_bytes).toBe(4_000_000_000);
  });
});
