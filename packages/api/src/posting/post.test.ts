import { describe, expect, it } from 'vitest';
import { contextFor, sessionFor } from '../../test/deps.js';
import { usePostingWorld } from '../../test/posting-world.js';
import { connectedAccount, ownerWithInstance } from '../../test/tiktok.js';
import { createCaller } from '../root.js';

const world = usePostingWorld();

const basePost = { title: 'Made by an agent #ai', privacyLevel: 'SELF_ONLY' as const };

async function postsOf(taskId: string) {
  return world().deps.db.selectFrom('tiktok_posts').selectAll().where('task_id', '=', taskId).execute();
}

describe('tiktok.post sends the video once', () => {
  it('initialises a direct post from the task’s video and answers PROCESSING with the publish id', async () => {
    const { caller, task, account } = await world().creator();
    const status = await caller.tiktok.post({ taskId: task.id, ...basePost });

    expect(status).toMatchObject({ status: 'PROCESSING', accountId: account.id, publishId: expect.any(String) as string, outcomeUnknown: false });
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(1);
    const [row] = await postsOf(task.id);
    expect(row).toMatchObject({ status: 'PROCESSING', source: 'PULL_FROM_URL', publish_id: status.publishId });
  });

  it('mirrors the post into the task’s tiktok_* columns', async () => {
    const { caller, task } = await world().creator();
    const status = await caller.tiktok.post({ taskId: task.id, ...basePost });
    const mirrored = await world().deps.db.selectFrom('instance_tasks').selectAll().where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(mirrored).toMatchObject({ tiktok_publish_id: status.publishId, tiktok_post_status: 'PROCESSING' });
    expect(mirrored.tiktok_post_data).toMatchObject({ postId: status.postId, privacyLevel: 'SELF_ONLY' });
  });

  it('sends TikTok the post info as asked, interactions off unless turned on', async () => {
    const { caller, task } = await world().creator();
    await caller.tiktok.post({ taskId: task.id, ...basePost, disableComment: false, videoCoverTimestampMs: 1000 });
    const [publish] = await world().emulator.publishes();
    expect(publish).toMatchObject({
      postInfo: { title: basePost.title, privacy_level: 'SELF_ONLY', disable_comment: false, disable_duet: true, disable_stitch: true, is_aigc: true },
    });
  });

  it('publishes a private post with the creator’s profile as its link', async () => {
    const { caller, task, account } = await world().creator();
    await caller.tiktok.post({ taskId: task.id, ...basePost });
    await world().emulator.advance(60_000);
    const status = await caller.tiktok.status({ taskId: task.id });
    expect(status).toMatchObject({ status: 'PUBLISHED', tiktokStatus: 'PUBLISH_COMPLETE', publicUrl: `https://www.tiktok.com/@${account.username}` });
  });

  it('publishes a public post with the video’s own link once moderation makes it visible', async () => {
    const { caller, task, account } = await world().creator();
    await caller.tiktok.post({ taskId: task.id, ...basePost, privacyLevel: 'PUBLIC_TO_EVERYONE' });
    await world().emulator.advance(10_000);
    const published = await caller.tiktok.status({ taskId: task.id });
    expect(published).toMatchObject({ status: 'PUBLISHED', publicUrl: null });
    expect(published.message).toContain('moderation');

    await world().emulator.advance(120_000);
    const visible = await caller.tiktok.status({ taskId: task.id });
    expect(visible.publicUrl).toMatch(new RegExp(`^https://www\\.tiktok\\.com/@${account.username}/video/\\d+$`));
  });

  it('ends in SENT_TO_INBOX for an inbox upload', async () => {
    const { caller, task } = await world().creator();
    await caller.tiktok.post({ taskId: task.id, ...basePost, mode: 'inbox' });
    expect(await world().emulator.calls({ endpoint: 'inbox.video.init' })).toBe(1);
    await world().emulator.advance(60_000);
    expect(await caller.tiktok.status({ taskId: task.id })).toMatchObject({ status: 'SENT_TO_INBOX', tiktokStatus: 'SEND_TO_USER_INBOX' });
  });

  it('fails with TikTok’s reason when TikTok rejects the video while processing', async () => {
    const { caller, task } = await world().creator({ video: 'lowFps' });
    await caller.tiktok.post({ taskId: task.id, ...basePost });
    await world().emulator.advance(60_000);
    const status = await caller.tiktok.status({ taskId: task.id });
    expect(status).toMatchObject({ status: 'FAILED', failReason: 'frame_rate_check_failed' });
    expect(status.message).toMatch(/frame rate/);
    expect(status.hint).toMatch(/fps/);
  });

  it('posts the same task to a second account too', async () => {
    const { caller, task, instance } = await world().creator();
    const [, second] = await world().emulator.users();
    const other = await connectedAccount(world().deps, world().emulator, instance.id, { user: second!.username, isDefault: false });
    await caller.tiktok.post({ taskId: task.id, ...basePost });
    await caller.tiktok.post({ taskId: task.id, ...basePost, accountId: other.account.id });
    expect(await postsOf(task.id)).toHaveLength(2);
  });
});

describe('tiktok.post refuses, in the contract’s order', () => {
  const unknownTask = '00000000-0000-4000-8000-00000000abcd';

  it('an unknown task: 404 TASK_NOT_FOUND', async () => {
    const { caller } = await world().creator();
    await expect(caller.tiktok.post({ taskId: unknownTask, ...basePost })).rejects.toMatchObject({ appCode: 'TASK_NOT_FOUND' });
  });

  it('another user’s task: 403', async () => {
    const { task } = await world().creator({ label: 'alice' });
    const { caller: mallory } = await world().creator({ label: 'mallory' });
    await expect(mallory.tiktok.post({ taskId: task.id, ...basePost })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a running task with no account: TASK_NOT_COMPLETED (the task is checked first)', async () => {
    const { deps } = world();
    const { user, instance } = await ownerWithInstance(deps.db, 'runner');
    const task = await deps.db
      .insertInto('instance_tasks')
      .values({ instance_id: instance.id, type: 'video_generation', status: 'running' })
      .returningAll()
      .executeTakeFirstOrThrow();
    const caller = createCaller(contextFor(deps, sessionFor(user.id)));
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost })).rejects.toMatchObject({ appCode: 'TASK_NOT_COMPLETED' });
  });

  it('a completed task without a video: NO_VIDEO_OUTPUT', async () => {
    const { caller, task } = await world().creator();
    await world().deps.db
      .updateTable('instance_tasks')
      .set({ output_data: JSON.stringify({ text: 'a summary', media_type: 'text' }) })
      .where('id', '=', task.id)
      .execute();
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost })).rejects.toMatchObject({ appCode: 'NO_VIDEO_OUTPUT' });
  });

  it('a video outside the verified prefixes: VIDEO_URL_NOT_ALLOWED, before any request', async () => {
    const { caller, task } = await world().creator();
    await world().deps.db
      .updateTable('instance_tasks')
      .set({ output_data: JSON.stringify({ video_url: 'https://elsewhere.example.com/v.mp4' }) })
      .where('id', '=', task.id)
      .execute();
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost })).rejects.toMatchObject({ appCode: 'VIDEO_URL_NOT_ALLOWED' });
  });

  it('a video that is not there: VIDEO_URL_UNREACHABLE', async () => {
    const { caller, task } = await world().creator();
    await world().deps.db
      .updateTable('instance_tasks')
      .set({ output_data: JSON.stringify({ video_url: world().videoUrl('sample').replace('sample', 'missing') }) })
      .where('id', '=', task.id)
      .execute();
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost })).rejects.toMatchObject({ appCode: 'VIDEO_URL_UNREACHABLE' });
  });

  it('no connected account: 404 NO_TIKTOK_ACCOUNT', async () => {
    const { caller, task, account } = await world().creator();
    await world().deps.db.deleteFrom('instance_tiktok_credentials').where('id', '=', account.id).execute();
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost })).rejects.toMatchObject({ appCode: 'NO_TIKTOK_ACCOUNT' });
  });

  it('another user’s account: 403', async () => {
    const { account } = await world().creator({ label: 'alice' });
    const { caller, task } = await world().creator({ label: 'bob' });
    await expect(caller.tiktok.post({ taskId: task.id, accountId: account.id, ...basePost })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('an account needing reconnection: ACCOUNT_NEEDS_REAUTH', async () => {
    const { caller, task, account } = await world().creator();
    await world().deps.db.updateTable('instance_tiktok_credentials').set({ state: 'needs_reauth' }).where('id', '=', account.id).execute();
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost })).rejects.toMatchObject({ appCode: 'ACCOUNT_NEEDS_REAUTH' });
  });

  it('a privacy level the creator is not offered: PRIVACY_LEVEL_NOT_ALLOWED listing the offered ones, and no post left behind', async () => {
    const { caller, task } = await world().creator();
    const [creator] = await world().emulator.users();
    await world().emulator.updateUser(creator!.username, { privacyLevelOptions: ['SELF_ONLY', 'MUTUAL_FOLLOW_FRIENDS'] });
    const failure = caller.tiktok.post({ taskId: task.id, ...basePost, privacyLevel: 'PUBLIC_TO_EVERYONE' });
    await expect(failure).rejects.toMatchObject({
      appCode: 'PRIVACY_LEVEL_NOT_ALLOWED',
      cause: { extra: { details: { offered: ['SELF_ONLY', 'MUTUAL_FOLLOW_FRIENDS'] } } },
    });
    expect(await postsOf(task.id)).toEqual([]);
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(0);
  });

  it('comments turned on for a creator who disabled them: INTERACTION_DISABLED', async () => {
    const { caller, task } = await world().creator();
    const [creator] = await world().emulator.users();
    await world().emulator.updateUser(creator!.username, { commentDisabled: true });
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost, disableComment: false })).rejects.toMatchObject({
      appCode: 'INTERACTION_DISABLED',
    });
  });

  it('branded content as private: BRANDED_CONTENT_PRIVATE', async () => {
    const { caller, task } = await world().creator();
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost, brandContentToggle: true })).rejects.toMatchObject({
      appCode: 'BRANDED_CONTENT_PRIVATE',
    });
  });

  it('a video longer than the creator may post: VIDEO_TOO_LONG', async () => {
    const { caller, task } = await world().creator();
    const [creator] = await world().emulator.users();
    await world().emulator.updateUser(creator!.username, { maxVideoPostDurationSec: 3 });
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost })).rejects.toMatchObject({ appCode: 'VIDEO_TOO_LONG' });
  });

  it('a creator TikTok will not let post: CREATOR_CANNOT_POST with TikTok’s code', async () => {
    const { caller, task } = await world().creator();
    const [creator] = await world().emulator.users();
    await world().emulator.updateUser(creator!.username, { bannedFromPosting: true });
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost })).rejects.toMatchObject({
      appCode: 'CREATOR_CANNOT_POST',
      cause: { extra: { tiktok: { code: 'spam_risk_user_banned_from_posting' } } },
    });
  });

  it('a schedule in the past or too far ahead: SCHEDULE_IN_PAST / SCHEDULE_TOO_FAR', async () => {
    const { caller, task } = await world().creator();
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost, scheduledAt: new Date(Date.now() - 60_000) })).rejects.toMatchObject({
      appCode: 'SCHEDULE_IN_PAST',
    });
    await expect(
      caller.tiktok.post({ taskId: task.id, ...basePost, scheduledAt: new Date(Date.now() + 40 * 86_400_000) }),
    ).rejects.toMatchObject({ appCode: 'SCHEDULE_TOO_FAR' });
  });

  it('a title over 2,200 characters: 400 with the zod issue', async () => {
    const { caller, task } = await world().creator();
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost, title: 'x'.repeat(2201) })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
