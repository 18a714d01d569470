import { describe, expect, it } from 'vitest';
import { TikTokError } from '@reelpost/tiktok';
import { rejectionOf, useEmulator, type Harness } from './support.js';

const harness = useEmulator();

function initPull(h: Harness, accessToken: string, client = h.client) {
  return client.initDirectPost(accessToken, {
    postInfo: { privacyLevel: 'SELF_ONLY' },
    source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('sample') },
  });
}

describe('client-side rate limits (per token and endpoint)', () => {
  it('holds back the seventh init in a minute with rate_limited, so TikTok never sees it', async () => {
    const h = harness();
    await h.emulator.updateUser('reelpost.creator', { dailyPostCap: 100 });
    const tokens = await h.connect();
    for (let n = 0; n < 6; n += 1) await initPull(h, tokens.accessToken);

    const error = await rejectionOf(initPull(h, tokens.accessToken));
    expect(error).toBeInstanceOf(TikTokError);
    expect(error).toMatchObject({ code: 'rate_limited', endpoint: 'video.init', retryable: true, retryAfterMs: 60_000, action: 'wait' });
    expect(await h.emulator.calls({ endpoint: 'video.init' })).toBe(6);
  });

  it('makes room again once the oldest call leaves the sliding window', async () => {
    const h = harness();
    await h.emulator.updateUser('reelpost.creator', { dailyPostCap: 100 });
    const tokens = await h.connect();
    await initPull(h, tokens.accessToken);
    await h.emulator.advance(30_000);
    for (let n = 0; n < 5; n += 1) await initPull(h, tokens.accessToken);

    expect(await rejectionOf(initPull(h, tokens.accessToken))).toMatchObject({ retryAfterMs: 30_000 });
    await h.emulator.advance(30_000);
    await expect(initPull(h, tokens.accessToken)).resolves.toBeTruthy();
  });

  it('waits for room instead, when allowed to wait that long', async () => {
    const h = harness();
    const client = h.makeClient({ rateLimits: { maxWaitMs: 60_000 } });
    const tokens = await h.connect({ client });
    for (let n = 0; n < 20; n += 1) await client.queryCreatorInfo(tokens.accessToken);
    const before = await h.emulator.now();

    await expect(client.queryCreatorInfo(tokens.accessToken)).resolves.toBeTruthy();
    expect((await h.emulator.now()) - before).toBe(60_000);
    expect(await h.emulator.calls({ endpoint: 'creator_info.query', accessToken: tokens.accessToken })).toBe(21);
  });

  it('counts each access token separately', async () => {
    const h = harness();
    const first = await h.connect();
    const second = await h.connect({ user: 'quiet.studio' });
    for (let n = 0; n < 30; n += 1) await h.client.fetchPostStatus(first.accessToken, 'v').catch(() => undefined);

    await expect(h.client.fetchPostStatus(first.accessToken, 'v')).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(h.client.fetchPostStatus(second.accessToken, 'v')).rejects.toMatchObject({ code: 'invalid_publish_id' });
  });
});

describe("TikTok's own rate limit", () => {
  it('answers 429 rate_limit_exceeded past the limit when the client does not hold back, and is not hammered again', async () => {
    const h = harness();
    const client = h.makeClient({ rateLimits: false });
    const tokens = await h.connect({ client });
    for (let n = 0; n < 20; n += 1) await client.queryCreatorInfo(tokens.accessToken);

    const error = await rejectionOf(client.queryCreatorInfo(tokens.accessToken));
    expect(error).toMatchObject({ code: 'rate_limit_exceeded', httpStatus: 429, retryable: true, retryAfterMs: 60_000 });
    expect(await h.emulator.calls({ endpoint: 'creator_info.query' })).toBe(21);
  });

  it('holds later calls back for a window after TikTok answered 429 (another process used the token)', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('creator_info.query', { status: 429, code: 'rate_limit_exceeded' });

    const error = await rejectionOf(h.client.queryCreatorInfo(tokens.accessToken));
    expect(error).toMatchObject({ code: 'rate_limit_exceeded', retryAfterMs: 60_000 });
    await expect(h.client.queryCreatorInfo(tokens.accessToken)).rejects.toMatchObject({ code: 'rate_limited' });
    expect(await h.emulator.calls({ endpoint: 'creator_info.query' })).toBe(1);
  });

  it('retries after the reset when allowed to wait for it', async () => {
    const h = harness();
    const client = h.makeClient({ retry: { maxRateLimitWaitMs: 60_000, random: () => 0 } });
    const tokens = await h.connect({ client });
    await h.emulator.failNext('creator_info.query', { status: 429, code: 'rate_limit_exceeded' });
    const before = await h.emulator.now();

    await expect(client.queryCreatorInfo(tokens.accessToken)).resolves.toBeTruthy();
    expect((await h.emulator.now()) - before).toBe(60_000);
  });

  it('scales its window for load tests', async () => {
    const h = harness();
    const { startTikTokEmulator } = await import('../src/index.js');
    const fast = await startTikTokEmulator({ clock: 'manual', rateLimits: { windowScale: 0.01, limits: { 'user.info': 2 } } });
    try {
      const tokens = await fast.issueTokens('reelpost.creator');
      const client = h.makeClient({ apiBaseUrl: fast.url, rateLimits: false, retry: false, clock: fast.clock });
      await client.getUserInfo(tokens.access_token);
      await client.getUserInfo(tokens.access_token);
      await expect(client.getUserInfo(tokens.access_token)).rejects.toMatchObject({ code: 'rate_limit_exceeded' });
      await fast.advance(600);
      await expect(client.getUserInfo(tokens.access_token)).resolves.toBeTruthy();
    } finally {
      await fast.stop();
    }
  });
});
