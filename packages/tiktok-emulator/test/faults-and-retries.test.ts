import { describe, expect, it } from 'vitest';
import { TikTokError, type TikTokClientEvent, type TikTokPostInfo } from '@reelpost/tiktok';
import { closedPortUrl, rejectionOf, useEmulator, type Harness } from './support.js';

const harness = useEmulator();

const POST: TikTokPostInfo = { title: 'retry me', privacyLevel: 'SELF_ONLY' };

function initPull(h: Harness, accessToken: string, client = h.client) {
  return client.initDirectPost(accessToken, { postInfo: POST, source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('sample') } });
}

describe('retries of calls that are safe to repeat', () => {
  it('repeats a status fetch after a 500 internal_error and returns the answer', async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await initPull(h, tokens.accessToken);
    await h.emulator.failNext('status.fetch', { status: 500, code: 'internal_error', count: 2 });

    await expect(h.client.fetchPostStatus(tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'PROCESSING_DOWNLOAD' });
    expect(await h.emulator.calls({ endpoint: 'status.fetch', accessToken: tokens.accessToken })).toBe(3);
  });

  it('gives up after three retries with the last error', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('creator_info.query', { status: 503, code: 'internal_error', count: 10 });

    const error = await rejectionOf(h.client.queryCreatorInfo(tokens.accessToken));
    expect(error).toMatchObject({ code: 'internal_error', httpStatus: 503, retryable: true, outcomeUnknown: false });
    expect(await h.emulator.calls({ endpoint: 'creator_info.query' })).toBe(4);
  });

  it('backs off exponentially with full jitter on the injected clock', async () => {
    const h = harness();
    const events: TikTokClientEvent[] = [];
    const client = h.makeClient({ retry: { random: () => 0.5, baseDelayMs: 400 }, onEvent: (event) => events.push(event) });
    const tokens = await h.connect({ client });
    await h.emulator.failNext('creator_info.query', { status: 500, code: 'internal_error', count: 3 });
    const before = await h.emulator.now();

    await client.queryCreatorInfo(tokens.accessToken);
    const delays = events.flatMap((event) => (event.type === 'retry' ? [event.delayMs] : []));
    expect(delays).toEqual([200, 400, 800]);
    expect((await h.emulator.now()) - before).toBe(1400);
  });

  it('does not repeat a client error', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('creator_info.query', { status: 400, code: 'invalid_params' });
    await expect(h.client.queryCreatorInfo(tokens.accessToken)).rejects.toMatchObject({ code: 'invalid_params', retryable: false });
    expect(await h.emulator.calls({ endpoint: 'creator_info.query' })).toBe(1);
  });

  it('does not retry at all when retries are switched off', async () => {
    const h = harness();
    const client = h.makeClient({ retry: false });
    const tokens = await h.connect({ client });
    await h.emulator.failNext('user.info', { status: 500, code: 'internal_error' });
    await expect(client.getUserInfo(tokens.accessToken)).rejects.toMatchObject({ code: 'internal_error' });
    expect(await h.emulator.calls({ endpoint: 'user.info' })).toBe(1);
  });

  it('repeats a call whose connection was cut before TikTok did anything', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('creator_info.query', 'drop-before-commit');
    await expect(h.client.queryCreatorInfo(tokens.accessToken)).resolves.toMatchObject({ username: 'reelpost.creator' });
    expect(await h.emulator.calls({ endpoint: 'creator_info.query' })).toBe(2);
  });

  it('repeats a call that timed out', async () => {
    const h = harness();
    const client = h.makeClient({ timeoutMs: 50 });
    const tokens = await h.connect({ client });
    await h.emulator.failNext('user.info', 'timeout');
    await expect(client.getUserInfo(tokens.accessToken)).resolves.toMatchObject({ openId: tokens.openId });
    expect(await h.emulator.calls({ endpoint: 'user.info' })).toBe(2);
  });

  it.each(['html', 'truncated-json', 'no-envelope', 'empty', 'wrong-data'] as const)(
    'reports a %s answer as bad_response, and repeats the read',
    async (body) => {
      const h = harness();
      const tokens = await h.connect();
      const noRetry = h.makeClient({ retry: false });
      await h.emulator.failNext('creator_info.query', { kind: 'malformed', body });
      const error = await rejectionOf(noRetry.queryCreatorInfo(tokens.accessToken));
      expect(error).toBeInstanceOf(TikTokError);
      expect(error).toMatchObject({ code: 'bad_response', endpoint: 'creator_info.query', retryable: true, outcomeUnknown: false });

      await h.emulator.failNext('creator_info.query', { kind: 'malformed', body });
      await expect(h.client.queryCreatorInfo(tokens.accessToken)).resolves.toMatchObject({ username: 'reelpost.creator' });
    },
  );

  it('reports a gateway HTML page with its status', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('user.info', { kind: 'malformed', body: 'html', status: 502, count: 4 });
    const error = await rejectionOf(h.client.getUserInfo(tokens.accessToken));
    expect(error).toMatchObject({ code: 'bad_response', httpStatus: 502, detail: 'expected JSON, got an HTML page' });
  });

  it('keeps an unknown TikTok error code, with an honest message', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('creator_info.query', { status: 403, code: 'brand_new_restriction', message: 'Something new.' });
    const error = await rejectionOf(h.client.queryCreatorInfo(tokens.accessToken));
    expect(error).toMatchObject({ code: 'brand_new_restriction', known: false, detail: 'Something new.', retryable: false });
    expect((error as TikTokError).message).toContain('brand_new_restriction');
  });

  it('reports a call the caller cancelled as aborted, without retrying', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('user.info', 'timeout');
    const controller = new AbortController();
    const pending = rejectionOf(h.client.getUserInfo(tokens.accessToken, { signal: controller.signal }));
    while ((await h.emulator.calls({ endpoint: 'user.info' })) === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    expect(await pending).toMatchObject({ code: 'aborted', retryable: false });
  });

  it('says a request that could not connect never reached TikTok, so even an init is repeated', async () => {
    const h = harness();
    const events: TikTokClientEvent[] = [];
    const client = h.makeClient({ apiBaseUrl: await closedPortUrl(), onEvent: (event) => events.push(event) });
    const error = await rejectionOf(client.initDirectPost('act.nothing-listens-here', { postInfo: POST, source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('sample') } }));
    expect(error).toMatchObject({ code: 'network_error', outcomeUnknown: false, retryable: true });
    expect((error as TikTokError).detail).toContain('ECONNREFUSED');
    expect(events.filter((event) => event.type === 'retry')).toHaveLength(3);
  });
});

describe('inits are never repeated blindly', () => {
  it('does not repeat an init that failed with a server error, and says its outcome is unknown', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('video.init', { status: 500, code: 'internal_error' });
    const error = await rejectionOf(initPull(h, tokens.accessToken));
    expect(error).toMatchObject({ code: 'internal_error', outcomeUnknown: true, action: 'reconcile' });
    expect((error as TikTokError).hint).toContain('check before repeating');
    expect(await h.emulator.calls({ endpoint: 'video.init' })).toBe(1);
  });

  it('reports an init whose connection dropped after TikTok created the post as outcome unknown — and the post exists', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('video.init', 'drop-after-commit');
    const error = await rejectionOf(initPull(h, tokens.accessToken));

    expect(error).toMatchObject({ code: 'network_error', outcomeUnknown: true, retryable: true });
    expect(await h.emulator.calls({ endpoint: 'video.init' })).toBe(1);
    const publishes = await h.emulator.publishes();
    expect(publishes).toHaveLength(1);
    await h.emulator.settle();
    await h.emulator.advance(10_000);
    await expect(h.client.fetchPostStatus(tokens.accessToken, publishes[0]!.publishId)).resolves.toMatchObject({ status: 'PUBLISH_COMPLETE' });
  });

  it('reports an init that timed out as outcome unknown, without repeating it', async () => {
    const h = harness();
    const client = h.makeClient({ timeoutMs: 50 });
    const tokens = await h.connect({ client });
    await h.emulator.failNext('video.init', 'timeout');
    await expect(initPull(h, tokens.accessToken, client)).rejects.toMatchObject({ code: 'timeout', outcomeUnknown: true });
    expect(await h.emulator.calls({ endpoint: 'video.init' })).toBe(1);
  });

  it('reports an unreadable success answer to an init as bad_response with outcome unknown', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('inbox.video.init', { kind: 'malformed', body: 'truncated-json' });
    const error = await rejectionOf(h.client.initInboxUpload(tokens.accessToken, { source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('sample') } }));
    expect(error).toMatchObject({ code: 'bad_response', outcomeUnknown: true });
    expect(await h.emulator.publishes()).toHaveLength(1);
  });

  it('reports a FILE_UPLOAD init answered without an upload URL as bad_response', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('video.init', { kind: 'malformed', body: 'wrong-data' });
    const error = await rejectionOf(h.client.initDirectPost(tokens.accessToken, { postInfo: POST, source: { source: 'FILE_UPLOAD', videoSize: 1000 } }));
    expect(error).toMatchObject({ code: 'bad_response', outcomeUnknown: true });
  });

  it('does not count a refused init as unknown: TikTok said no', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('video.init', { status: 403, code: 'spam_risk_text' });
    await expect(initPull(h, tokens.accessToken)).rejects.toMatchObject({ code: 'spam_risk_text', outcomeUnknown: false, action: 'fix_request' });
  });
});

describe('fault injection bookkeeping', () => {
  it('uses each fault for as many calls as its count, then behaves normally', async () => {
    const h = harness();
    const client = h.makeClient({ retry: false });
    const tokens = await h.connect({ client });
    await h.emulator.failNext('user.info', { status: 500, code: 'internal_error', count: 2 });
    await expect(client.getUserInfo(tokens.accessToken)).rejects.toMatchObject({ code: 'internal_error' });
    await expect(client.getUserInfo(tokens.accessToken)).rejects.toMatchObject({ code: 'internal_error' });
    await expect(client.getUserInfo(tokens.accessToken)).resolves.toBeTruthy();
  });

  it('forgets queued faults on clearFaults', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('user.info', { status: 500, code: 'internal_error', count: 5 });
    await h.emulator.failNextPublish('spam_risk');
    await h.emulator.clearFaults();
    await expect(h.client.getUserInfo(tokens.accessToken)).resolves.toBeTruthy();
  });

  it('logs each call with its endpoint, user, status and fault, but never the token', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('user.info', { status: 500, code: 'internal_error' });
    await h.client.getUserInfo(tokens.accessToken);
    const log = await h.emulator.callLog({ endpoint: 'user.info' });
    expect(log.map(({ httpStatus, code, fault, openId }) => ({ httpStatus, code, fault, openId }))).toEqual([
      { httpStatus: 500, code: 'internal_error', fault: 'error', openId: tokens.openId },
      { httpStatus: 200, code: 'ok', fault: undefined, openId: tokens.openId },
    ]);
    expect(JSON.stringify(log)).not.toContain(tokens.accessToken);
  });
});
