import { describe, expect, it } from 'vitest';
import { describeFailReason, tikTokPostUrl, tikTokProfileUrl, type TikTokClient, type TikTokPostInfo } from '@reelpost/tiktok';
import { closedPortUrl, rejectionOf, useEmulator, type Harness } from './support.js';

const harness = useEmulator();

const PUBLIC_POST: TikTokPostInfo = { title: 'A calm morning #ai', privacyLevel: 'PUBLIC_TO_EVERYONE', isAigc: true };

async function postFromUrl(h: Harness, accessToken: string, videoUrl: string, postInfo: TikTokPostInfo = PUBLIC_POST) {
  return h.client.initDirectPost(accessToken, { postInfo, source: { source: 'PULL_FROM_URL', videoUrl } });
}

/** Lets the download finish and processing run to its end. */
async function finishProcessing(h: Harness): Promise<void> {
  await h.emulator.settle();
  await h.emulator.advance(10_000);
}

async function statusOf(client: TikTokClient, accessToken: string, publishId: string) {
  return client.fetchPostStatus(accessToken, publishId);
}

describe('creator info', () => {
  it("returns a public creator's nickname, privacy options, interaction flags and max duration", async () => {
    const { client, connect } = harness();
    const tokens = await connect();
    await expect(client.queryCreatorInfo(tokens.accessToken)).resolves.toMatchObject({
      username: 'reelpost.creator',
      nickname: 'Reelpost Creator',
      privacyLevelOptions: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
      commentDisabled: false,
      duetDisabled: false,
      stitchDisabled: false,
      maxVideoPostDurationSec: 600,
    });
  });

  it('offers a private account follower-only options and neither duets nor stitches', async () => {
    const { client, connect } = harness();
    const tokens = await connect({ user: 'quiet.studio' });
    await expect(client.queryCreatorInfo(tokens.accessToken)).resolves.toMatchObject({
      privacyLevelOptions: ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
      duetDisabled: true,
      stitchDisabled: true,
      maxVideoPostDurationSec: 180,
    });
  });

  it('reflects the interaction settings configured for a test user', async () => {
    const { client, connect, emulator } = harness();
    await emulator.addUser({ username: 'no.comments', commentDisabled: true, stitchDisabled: true, maxVideoPostDurationSec: 60 });
    const tokens = await connect({ user: 'no.comments' });
    await expect(client.queryCreatorInfo(tokens.accessToken)).resolves.toMatchObject({ commentDisabled: true, stitchDisabled: true, maxVideoPostDurationSec: 60 });
  });

  it('offers the private options once a creator makes their account private', async () => {
    const { client, connect, emulator } = harness();
    const tokens = await connect();
    await emulator.updateUser('reelpost.creator', { accountPrivate: true });
    await expect(client.queryCreatorInfo(tokens.accessToken)).resolves.toMatchObject({
      privacyLevelOptions: ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
      duetDisabled: true,
    });
  });

  it('answers spam_risk_user_banned_from_posting for a banned creator', async () => {
    const { client, connect, emulator } = harness();
    const tokens = await connect();
    await emulator.updateUser('reelpost.creator', { bannedFromPosting: true });
    const error = await rejectionOf(client.queryCreatorInfo(tokens.accessToken));
    // Query Creator Info answers these with HTTP 200 and the code in error.code ("intentional").
    expect(error).toMatchObject({ code: 'spam_risk_user_banned_from_posting', httpStatus: 200, retryable: false });
  });

  it('needs the video.publish scope', async () => {
    const { client, connect } = harness();
    const tokens = await connect({ scopes: ['user.info.basic', 'video.upload'] });
    await expect(client.queryCreatorInfo(tokens.accessToken)).rejects.toMatchObject({ code: 'scope_not_authorized', httpStatus: 401 });
  });
});

describe('direct post from a URL', () => {
  it('downloads the video and moves PROCESSING_DOWNLOAD → PUBLISH_COMPLETE, with the bytes counted', async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId, uploadUrl } = await postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'));
    expect(publishId).toMatch(/^v_pub_url~v2-1\.\d{19}$/);
    expect(uploadUrl).toBeUndefined();

    await h.emulator.settle();
    await expect(statusOf(h.client, tokens.accessToken, publishId)).resolves.toMatchObject({
      status: 'PROCESSING_DOWNLOAD',
      isFinal: false,
      downloadedBytes: 147_635,
    });
    await h.emulator.advance(10_000);
    await expect(statusOf(h.client, tokens.accessToken, publishId)).resolves.toMatchObject({
      status: 'PUBLISH_COMPLETE',
      isFinal: true,
      publiclyAvailablePostIds: [],
    });
  });

  it('gives a public post its id only after moderation, exactly as TikTok wrote it', async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'));
    await h.emulator.settle();
    // Processing takes about 2 s, moderation 30 s.
    await h.emulator.advance(31_000);
    expect((await statusOf(h.client, tokens.accessToken, publishId)).publiclyAvailablePostIds).toEqual([]);

    await h.emulator.advance(2_000);
    const { publiclyAvailablePostIds } = await statusOf(h.client, tokens.accessToken, publishId);
    const [record] = await h.emulator.publishes();
    expect(publiclyAvailablePostIds).toEqual(record!.postIds);
    // 19 digits: beyond JavaScript's safe integers, yet not rounded.
    expect(publiclyAvailablePostIds[0]).toMatch(/^7\d{18}$/);
  });

  it('never gives a private post a public id', async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'), { privacyLevel: 'SELF_ONLY' });
    await finishProcessing(h);
    await h.emulator.advance(3600_000);
    await expect(statusOf(h.client, tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'PUBLISH_COMPLETE', publiclyAvailablePostIds: [] });
  });

  it('sends what the person chose, in TikTok’s field names, with interactions off unless turned on', async () => {
    const h = harness();
    const tokens = await h.connect();
    await postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'), {
      title: 'Branded',
      privacyLevel: 'MUTUAL_FOLLOW_FRIENDS',
      disableDuet: false,
      videoCoverTimestampMs: 1000,
      brandContentToggle: true,
    });
    const [record] = await h.emulator.publishes();
    expect(record!.postInfo).toEqual({
      title: 'Branded',
      privacy_level: 'MUTUAL_FOLLOW_FRIENDS',
      disable_duet: false,
      // Content Sharing Guidelines: nothing is on by default, so what was not asked for is disabled.
      disable_comment: true,
      disable_stitch: true,
      video_cover_timestamp_ms: 1000,
      brand_content_toggle: true,
      brand_organic_toggle: false,
      is_aigc: false,
    });
  });

  it.each([
    ['notAVideo', 'file_format_check_failed'],
    ['lowFps', 'frame_rate_check_failed'],
    ['tiny', 'picture_size_check_failed'],
  ] as const)('fails %s with %s after processing', async (fixture, reason) => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await postFromUrl(h, tokens.accessToken, h.videos.urlOf(fixture));
    await finishProcessing(h);
    const status = await statusOf(h.client, tokens.accessToken, publishId);
    expect(status).toMatchObject({ status: 'FAILED', isFinal: true, failReason: reason });
    expect(describeFailReason(status.failReason!).known).toBe(true);
  });

  it("fails duration_check_failed when the video is longer than the creator's maximum", async () => {
    const h = harness();
    await h.emulator.addUser({ username: 'short.only', maxVideoPostDurationSec: 3 });
    const tokens = await h.connect({ user: 'short.only' });
    const { publishId } = await postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'));
    await finishProcessing(h);
    await expect(statusOf(h.client, tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'FAILED', failReason: 'duration_check_failed' });
  });

  it('fails video_pull_failed when the URL does not serve a video', async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await postFromUrl(h, tokens.accessToken, `${h.videos.url}/videos/missing.mp4`);
    await h.emulator.settle();
    await expect(statusOf(h.client, tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'FAILED', failReason: 'video_pull_failed' });
  });

  it('fails video_pull_failed when nothing answers at the URL', async () => {
    const h = harness();
    const tokens = await h.connect();
    const nowhere = await closedPortUrl();
    await h.emulator.configureApp({ verifiedUrlPrefixes: [`${nowhere}/`] });
    const { publishId } = await postFromUrl(h, tokens.accessToken, `${nowhere}/video.mp4`);
    await h.emulator.settle();
    await expect(statusOf(h.client, tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'FAILED', failReason: 'video_pull_failed' });
  });

  it("fails video_pull_failed for a video larger than the emulator's download limit", async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await postFromUrl(h, tokens.accessToken, `${h.videos.url}/videos/padded.mp4?bytes=300000000`);
    await h.emulator.settle();
    await expect(statusOf(h.client, tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'FAILED', failReason: 'video_pull_failed' });
  });

  it('refuses a URL outside the verified prefixes with url_ownership_unverified', async () => {
    const h = harness();
    const tokens = await h.connect();
    const error = await rejectionOf(postFromUrl(h, tokens.accessToken, 'https://elsewhere.example/v.mp4'));
    expect(error).toMatchObject({ code: 'url_ownership_unverified', httpStatus: 403, outcomeUnknown: false, action: 'fix_request' });
    expect(await h.emulator.publishes()).toEqual([]);
  });

  it('accepts a URL on a verified domain', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.configureApp({ verifiedUrlPrefixes: ['127.0.0.1'], allowHttpVideoUrls: true });
    await expect(postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'))).resolves.toMatchObject({ publishId: expect.any(String) as string });
  });

  it('refuses a privacy level the creator does not offer with privacy_level_option_mismatch', async () => {
    const h = harness();
    const tokens = await h.connect({ user: 'quiet.studio' });
    await expect(postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'))).rejects.toMatchObject({ code: 'privacy_level_option_mismatch', httpStatus: 403 });
  });

  it('lets an unaudited app post only SELF_ONLY, and only from private accounts', async () => {
    const h = harness();
    await h.emulator.configureApp({ audited: false });
    const publicAccount = await h.connect();
    await expect(postFromUrl(h, publicAccount.accessToken, h.videos.urlOf('sample'), { privacyLevel: 'SELF_ONLY' })).rejects.toMatchObject({
      code: 'unaudited_client_can_only_post_to_private_accounts',
    });
    const privateAccount = await h.connect({ user: 'quiet.studio' });
    await expect(postFromUrl(h, privateAccount.accessToken, h.videos.urlOf('sample'), { privacyLevel: 'MUTUAL_FOLLOW_FRIENDS' })).rejects.toMatchObject({
      code: 'unaudited_client_can_only_post_to_private_accounts',
    });
    await expect(postFromUrl(h, privateAccount.accessToken, h.videos.urlOf('sample'), { privacyLevel: 'SELF_ONLY' })).resolves.toBeTruthy();
  });

  it('lets only five users a day post through an unaudited app', async () => {
    const h = harness();
    await h.emulator.configureApp({ audited: false });
    for (let n = 0; n < 5; n += 1) {
      const user = await h.emulator.addUser({ username: `poster.${n}`, accountPrivate: true });
      const tokens = await h.emulator.issueTokens(user.openId);
      await postFromUrl(h, tokens.access_token, h.videos.urlOf('sample'), { privacyLevel: 'SELF_ONLY' });
    }
    const sixth = await h.connect({ user: 'quiet.studio' });
    const error = await rejectionOf(postFromUrl(h, sixth.accessToken, h.videos.urlOf('sample'), { privacyLevel: 'SELF_ONLY' }));
    expect(error).toMatchObject({ code: 'reached_active_user_cap', action: 'try_tomorrow' });
    await expect(h.client.queryCreatorInfo(sixth.accessToken)).rejects.toMatchObject({ code: 'reached_active_user_cap' });

    await h.emulator.advance(24 * 3600_000 + 1);
    await expect(h.client.queryCreatorInfo((await h.client.refreshAccessToken(sixth.refreshToken)).accessToken)).resolves.toBeTruthy();
  });

  it("stops a creator at the daily post cap with spam_risk_too_many_posts, until a day has passed", async () => {
    const h = harness();
    await h.emulator.updateUser('reelpost.creator', { dailyPostCap: 2 });
    const tokens = await h.connect();
    await postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'));
    await postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'));

    await expect(postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'))).rejects.toMatchObject({ code: 'spam_risk_too_many_posts', httpStatus: 403 });
    await expect(h.client.queryCreatorInfo(tokens.accessToken)).rejects.toMatchObject({ code: 'spam_risk_too_many_posts' });
  });

  it('needs the video.publish scope', async () => {
    const h = harness();
    const tokens = await h.connect({ scopes: ['user.info.basic', 'video.upload'] });
    await expect(postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'))).rejects.toMatchObject({ code: 'scope_not_authorized' });
  });

  it('fails a post whose author removes the app while it processes with auth_removed', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.pauseProcessing();
    const { publishId } = await postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'));
    await h.emulator.settle();
    await h.emulator.revokeAuthorization('reelpost.creator');

    const [record] = await h.emulator.publishes();
    expect(record).toMatchObject({ publishId, status: 'FAILED', failReason: 'auth_removed' });
    await expect(statusOf(h.client, tokens.accessToken, publishId)).rejects.toMatchObject({ code: 'access_token_invalid' });
  });

  it('holds posts in processing while processing is paused, and finishes them on resume', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.pauseProcessing();
    const { publishId } = await postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'));
    await finishProcessing(h);
    await h.emulator.advance(3600_000);
    expect((await statusOf(h.client, tokens.accessToken, publishId)).status).toBe('PROCESSING_DOWNLOAD');

    await h.emulator.resumeProcessing();
    await h.emulator.advance(3_000);
    expect((await statusOf(h.client, tokens.accessToken, publishId)).status).toBe('PUBLISH_COMPLETE');
  });

  it('processes faster when sped up', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.setProcessingSpeed(10);
    const { publishId } = await postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'));
    await h.emulator.settle();
    await h.emulator.advance(300);
    expect((await statusOf(h.client, tokens.accessToken, publishId)).status).toBe('PUBLISH_COMPLETE');
    await h.emulator.advance(3_000);
    expect((await statusOf(h.client, tokens.accessToken, publishId)).publiclyAvailablePostIds).toHaveLength(1);
  });

  it.each(['spam_risk_text', 'spam_risk', 'publish_cancelled', 'internal', 'spam_risk_too_many_posts'])(
    'reports an injected processing failure %s',
    async (reason) => {
      const h = harness();
      const tokens = await h.connect();
      await h.emulator.failNextPublish(reason);
      const { publishId } = await postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'));
      await finishProcessing(h);
      await expect(statusOf(h.client, tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'FAILED', failReason: reason });
    },
  );

  it('processes slowly when told: the next publish stays PROCESSING for the extra time, then completes', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.slowNextPublish(60_000);
    const { publishId: slow } = await postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'));
    const { publishId: normal } = await postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'));
    await finishProcessing(h);
    await expect(statusOf(h.client, tokens.accessToken, slow)).resolves.toMatchObject({ status: 'PROCESSING_DOWNLOAD' });
    await expect(statusOf(h.client, tokens.accessToken, normal)).resolves.toMatchObject({ status: 'PUBLISH_COMPLETE' });
    await h.emulator.advance(60_000);
    await expect(statusOf(h.client, tokens.accessToken, slow)).resolves.toMatchObject({ status: 'PUBLISH_COMPLETE' });
  });
});

describe('inbox (draft) upload', () => {
  it('delivers a pulled video to the inbox as SEND_TO_USER_INBOX', async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await h.client.initInboxUpload(tokens.accessToken, { source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('sample') } });
    expect(publishId).toMatch(/^v_inbox_url~/);
    await finishProcessing(h);
    // Not final: the creator may still post the draft in the TikTok app.
    await expect(statusOf(h.client, tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'SEND_TO_USER_INBOX', isFinal: false });
  });

  it('needs the video.upload scope', async () => {
    const h = harness();
    const tokens = await h.connect({ scopes: ['user.info.basic', 'video.publish'] });
    await expect(h.client.initInboxUpload(tokens.accessToken, { source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('sample') } })).rejects.toMatchObject({
      code: 'scope_not_authorized',
    });
  });

  it('refuses a sixth waiting draft with spam_risk_too_many_pending_share until the inbox is cleared', async () => {
    const h = harness();
    const tokens = await h.connect();
    const send = () => h.client.initInboxUpload(tokens.accessToken, { source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('sample') } });
    for (let n = 0; n < 5; n += 1) {
      await send();
      await h.emulator.advance(60_000);
    }
    await expect(send()).rejects.toMatchObject({ code: 'spam_risk_too_many_pending_share' });

    expect(await h.emulator.clearInbox('reelpost.creator')).toBe(5);
    await expect(send()).resolves.toBeTruthy();
  });

  it("answers app_version_check_failed when the creator's TikTok app is too old", async () => {
    const h = harness();
    await h.emulator.updateUser('reelpost.creator', { inboxAppOutdated: true });
    const tokens = await h.connect();
    await expect(h.client.initInboxUpload(tokens.accessToken, { source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('sample') } })).rejects.toMatchObject({
      code: 'app_version_check_failed',
      httpStatus: 400,
    });
  });
});

describe('links', () => {
  it('links a public post by username and post id, and a private one by profile', () => {
    expect(tikTokPostUrl('reelpost.creator', '7234567890123456789')).toBe('https://www.tiktok.com/@reelpost.creator/video/7234567890123456789');
    expect(tikTokProfileUrl('quiet.studio')).toBe('https://www.tiktok.com/@quiet.studio');
  });
});
