import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTikTokWebhook, type TikTokWebhookEvent } from '@reelpost/tiktok';
import { connectTikTokEmulator } from '../src/index.js';
import { startWebhookReceiver, useEmulator, type Harness, type WebhookReceiver } from './support.js';

// SEND_TO_USER_INBOX is a waiting state (Upload page, Get Post Status): the creator finishes the draft in the
// TikTok app, or never does. The emulator lets a test play the creator.

const harness = useEmulator({ emulator: { processing: { baseMs: 1_000, msPerMiB: 0, moderationDelayMs: 30_000 } } });
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.stop();
});

async function draftInInbox(h: Harness, user?: string) {
  receiver.received.length = 0;
  await h.emulator.configureApp({ webhookUrl: receiver.url });
  const tokens = await h.connect(user === undefined ? {} : { user });
  const { publishId } = await h.client.initInboxUpload(tokens.accessToken, { source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('sample') } });
  await h.emulator.settle();
  await h.emulator.advance(5_000);
  return { tokens, publishId };
}

function eventsReceived(h: Harness): TikTokWebhookEvent[] {
  return receiver.received.map((delivery) =>
    verifyTikTokWebhook({
      rawBody: delivery.body,
      signatureHeader: delivery.headers['tiktok-signature'] as string,
      clientSecret: h.emulator.app.clientSecret,
      toleranceSeconds: 10 ** 9,
    }),
  );
}

describe('inbox drafts', () => {
  it('stay SEND_TO_USER_INBOX, not final, until the creator acts', async () => {
    const h = harness();
    const { tokens, publishId } = await draftInInbox(h);
    await h.emulator.advance(24 * 3600 * 1000);
    const fresh = await h.client.refreshAccessToken(tokens.refreshToken);
    await expect(h.client.fetchPostStatus(fresh.accessToken, publishId)).resolves.toMatchObject({ status: 'SEND_TO_USER_INBOX', isFinal: false });
  });

  it('become PUBLISH_COMPLETE when the creator posts, then public with a post id after moderation', async () => {
    const h = harness();
    const { tokens, publishId } = await draftInInbox(h);
    const posted = await h.emulator.publishInboxDraft(publishId);
    expect(posted).toMatchObject({ status: 'PUBLISH_COMPLETE', privacyLevel: 'PUBLIC_TO_EVERYONE', draft: 'posted' });
    await expect(h.client.fetchPostStatus(tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'PUBLISH_COMPLETE', isFinal: true, publiclyAvailablePostIds: [] });

    await h.emulator.advance(30_000);
    const status = await h.client.fetchPostStatus(tokens.accessToken, publishId);
    expect(status.publiclyAvailablePostIds).toHaveLength(1);
    expect(eventsReceived(h).map((event) => event.event)).toEqual([
      'post.publish.inbox_delivered',
      'post.publish.complete',
      'post.publish.publicly_available',
    ]);
    expect(eventsReceived(h)[2]).toMatchObject({ content: { publishId, postId: status.publiclyAvailablePostIds[0], publishType: 'INBOX_SHARE' } });
  });

  it('never get a public id when the creator posts them privately', async () => {
    const h = harness();
    const { tokens, publishId } = await draftInInbox(h);
    await h.emulator.publishInboxDraft(publishId, { privacyLevel: 'SELF_ONLY' });
    await h.emulator.advance(120_000);
    await expect(h.client.fetchPostStatus(tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'PUBLISH_COMPLETE', publiclyAvailablePostIds: [] });
    expect(eventsReceived(h).map((event) => event.event)).toEqual(['post.publish.inbox_delivered', 'post.publish.complete']);
  });

  it('stay SEND_TO_USER_INBOX with nothing sent when the creator drops them', async () => {
    const h = harness();
    const { tokens, publishId } = await draftInInbox(h);
    await expect(h.emulator.dropInboxDraft(publishId)).resolves.toMatchObject({ status: 'SEND_TO_USER_INBOX', draft: 'dropped' });
    await h.emulator.advance(60_000);
    await expect(h.client.fetchPostStatus(tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'SEND_TO_USER_INBOX' });
    expect(eventsReceived(h).map((event) => event.event)).toEqual(['post.publish.inbox_delivered']);
    await expect(h.emulator.publishInboxDraft(publishId)).rejects.toThrow('is not waiting in the inbox');
  });

  it('are refused to publish while still processing, and for an unknown id', async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await h.client.initInboxUpload(tokens.accessToken, { source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('sample') } });
    await expect(h.emulator.publishInboxDraft(publishId)).rejects.toThrow('is not waiting in the inbox');
    await expect(h.emulator.dropInboxDraft('v_inbox_url~nothing')).rejects.toThrow('no inbox draft');
  });

  it('may run 10 minutes whatever max_video_post_duration_sec says', async () => {
    const h = harness();
    await h.emulator.updateUser('reelpost.creator', { maxVideoPostDurationSec: 1 });
    const tokens = await h.connect();
    const source = { source: 'PULL_FROM_URL' as const, videoUrl: h.videos.urlOf('sample') };
    const direct = await h.client.initDirectPost(tokens.accessToken, { postInfo: { privacyLevel: 'SELF_ONLY' }, source });
    const draft = await h.client.initInboxUpload(tokens.accessToken, { source });
    await h.emulator.settle();
    await h.emulator.advance(5_000);
    await expect(h.client.fetchPostStatus(tokens.accessToken, direct.publishId)).resolves.toMatchObject({ failReason: 'duration_check_failed' });
    await expect(h.client.fetchPostStatus(tokens.accessToken, draft.publishId)).resolves.toMatchObject({ status: 'SEND_TO_USER_INBOX' });
  });

  it('count at most 5 pending shares within any rolling 24 h; older ones no longer count', async () => {
    const h = harness();
    let tokens = await h.connect();
    const send = () => h.client.initInboxUpload(tokens.accessToken, { source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('sample') } });
    for (let n = 0; n < 5; n += 1) {
      await send();
      await h.emulator.advance(60_000);
    }
    await expect(send()).rejects.toMatchObject({ code: 'spam_risk_too_many_pending_share', httpStatus: 403 });
    // Nothing was posted or dropped: the first drafts simply leave the 24-hour window.
    await h.emulator.advance(24 * 3600 * 1000 - 4 * 60_000);
    tokens = await h.client.refreshAccessToken(tokens.refreshToken);
    await expect(send()).resolves.toMatchObject({ publishId: expect.stringMatching(/^v_inbox_url~/) as string });
  });
});

describe('posts taken down', () => {
  it('send post.publish.no_longer_publicaly_available with the post id', async () => {
    const h = harness();
    const { publishId } = await draftInInbox(h);
    await h.emulator.publishInboxDraft(publishId);
    await h.emulator.advance(30_000);
    const taken = await h.emulator.takeDownPost(publishId);
    expect(taken.takenDown).toBe(true);
    const last = eventsReceived(h).at(-1);
    expect(last).toMatchObject({ event: 'post.publish.no_longer_publicaly_available', content: { publishId, postId: taken.postIds[0] } });
    await expect(h.emulator.takeDownPost(publishId)).rejects.toThrow('taken down already');
  });

  it('need a public post id', async () => {
    const h = harness();
    const { publishId } = await draftInInbox(h);
    await expect(h.emulator.takeDownPost(publishId)).rejects.toThrow('no published post');
    await h.emulator.publishInboxDraft(publishId, { privacyLevel: 'SELF_ONLY' });
    await expect(h.emulator.takeDownPost(publishId)).rejects.toThrow('has no public post id');
  });
});

describe('the same controls over the admin API', () => {
  it('publish, drop and take down by name', async () => {
    const h = harness();
    const remote = connectTikTokEmulator(h.emulator.url);
    const first = await draftInInbox(h);
    const second = await h.client.initInboxUpload(first.tokens.accessToken, { source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('sample') } });
    await h.emulator.settle();
    await h.emulator.advance(5_000);
    await expect(remote.publishInboxDraft(first.publishId, { privacyLevel: 'PUBLIC_TO_EVERYONE' })).resolves.toMatchObject({ status: 'PUBLISH_COMPLETE' });
    await expect(remote.dropInboxDraft(second.publishId)).resolves.toMatchObject({ draft: 'dropped' });
    await h.emulator.advance(30_000);
    await expect(remote.takeDownPost(first.publishId)).resolves.toMatchObject({ takenDown: true });
    await expect(remote.clearInbox('reelpost.creator')).resolves.toBe(0);
  });
});
