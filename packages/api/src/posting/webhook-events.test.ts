import { signTikTokWebhook } from '@reelpost/tiktok';
import { describe, expect, it } from 'vitest';
import { usePostingWorld } from '../../test/posting-world.js';
import { receiveTikTokWebhook } from './webhooks.js';
import { runStatusJob } from './workers.js';

// The webhook events beyond a post's way to PUBLISHED (TikTok's Webhooks overview; shared/tiktok-api.md,
// "Corrections (2026-12-05)": post.publish.no_longer_publicaly_available (sic) carries post_id, video.upload.failed
// carries share_id).

const world = usePostingWorld();

const publicPost = { title: 'Made by an agent #ai', privacyLevel: 'PUBLIC_TO_EVERYONE' as const };

function webhook(event: string, openId: string, content: Record<string, unknown>) {
  const rawBody = JSON.stringify({
    client_key: world().emulator.app.clientKey,
    event,
    create_time: Math.floor(Date.now() / 1000),
    user_openid: openId,
    content: JSON.stringify(content),
  });
  const signatureHeader = signTikTokWebhook({ rawBody, clientSecret: world().emulator.app.clientSecret, timestamp: Math.floor(Date.now() / 1000) });
  return receiveTikTokWebhook(world().deps, world().emulator.app, { rawBody, signatureHeader });
}

async function publishedPost() {
  const creator = await world().creator();
  const { postId, publishId } = await creator.caller.tiktok.post({ taskId: creator.task.id, ...publicPost });
  await world().emulator.advance(120_000);
  await runStatusJob(world().deps, postId);
  const published = await creator.caller.tiktok.status({ taskId: creator.task.id });
  expect(published).toMatchObject({ status: 'PUBLISHED', publicUrl: expect.stringMatching(/\/video\/\d+$/) as string, takenDownAt: null });
  return { ...creator, postId, publishId: publishId! };
}

describe('post.publish.no_longer_publicaly_available', () => {
  it('records the take-down: still PUBLISHED, with takenDownAt, a message and a hint saying so', async () => {
    const { caller, task, account, publishId } = await publishedPost();
    const before = await caller.tiktok.status({ taskId: task.id });
    const postId = before.publicUrl!.split('/').at(-1)!;

    expect(await webhook('post.publish.no_longer_publicaly_available', account.open_id, { publish_id: publishId, post_id: postId, publish_type: 'DIRECT_PUBLISH' })).toEqual({
      accepted: true,
      outcome: 'applied',
    });
    const status = await caller.tiktok.status({ taskId: task.id });
    expect(status).toMatchObject({ status: 'PUBLISHED', publicUrl: before.publicUrl, takenDownAt: expect.any(Date) as Date });
    expect(status.message).toMatch(/no longer shows it publicly/);
    expect(status.hint).toMatch(/TikTok app/);
  });

  it('finds the post by its public post id when the event carries no publish_id, as sent by the emulator’s take-down', async () => {
    const { caller, task, account, publishId } = await publishedPost();
    const [record] = await world().emulator.publishes();
    await world().emulator.takeDownPost(publishId);
    await webhook('post.publish.no_longer_publicaly_available', account.open_id, { post_id: record!.postIds[0] });
    expect(await caller.tiktok.status({ taskId: task.id })).toMatchObject({ status: 'PUBLISHED', takenDownAt: expect.any(Date) as Date });
  });

  it('keeps the first take-down time when TikTok delivers the event again with another body', async () => {
    const { caller, task, account, publishId } = await publishedPost();
    await webhook('post.publish.no_longer_publicaly_available', account.open_id, { publish_id: publishId, post_id: '7000000000000000001' });
    const first = (await caller.tiktok.status({ taskId: task.id })).takenDownAt;
    await webhook('post.publish.no_longer_publicaly_available', account.open_id, { publish_id: publishId, post_id: '7000000000000000001', publish_type: 'DIRECT_PUBLISH' });
    expect((await caller.tiktok.status({ taskId: task.id })).takenDownAt).toEqual(first);
  });
});

describe('video.upload.failed', () => {
  it('fails the inbox upload it names by share_id', async () => {
    const { caller, task, account } = await world().creator();
    const { publishId } = await caller.tiktok.post({ taskId: task.id, title: 'Draft #ai', privacyLevel: 'SELF_ONLY', mode: 'inbox' });
    expect(await webhook('video.upload.failed', account.open_id, { share_id: publishId })).toEqual({ accepted: true, outcome: 'applied' });
    expect(await caller.tiktok.status({ taskId: task.id })).toMatchObject({ status: 'FAILED', failReason: 'upload_failed' });
  });
});
