import { describe, expect, it } from 'vitest';
import { REDIRECT_URI, useEmulator, type Harness } from './support.js';

// Requests no well-behaved client sends, answered the way TikTok answers them.

const harness = useEmulator();

async function form(h: Harness, path: string, fields: Record<string, string>) {
  const response = await fetch(`${h.emulator.url}${path}`, { method: 'POST', body: new URLSearchParams(fields) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function api(h: Harness, path: string, accessToken: string, init: { method?: string; body?: string } = {}) {
  const response = await fetch(`${h.emulator.url}${path}`, {
    method: init.method ?? 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    ...(init.body !== undefined && { body: init.body }),
  });
  return { status: response.status, body: (await response.json()) as { error: { code: string; message: string } } };
}

const client = { client_key: 'emulator-client-key', client_secret: 'emulator-client-secret' };

describe('the token endpoint', () => {
  it.each([
    ['no code', { grant_type: 'authorization_code' }, 'invalid_grant'],
    ['no refresh token', { grant_type: 'refresh_token' }, 'invalid_grant'],
    ['no grant type', {}, 'unsupported_grant_type'],
  ])('answers a request with %s', async (_name, fields, error) => {
    expect((await form(harness(), '/v2/oauth/token/', { ...client, ...fields })).body).toMatchObject({ error });
  });

  it('answers invalid_client without a client secret', async () => {
    const answer = await form(harness(), '/v2/oauth/token/', { client_key: 'emulator-client-key', grant_type: 'refresh_token' });
    expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('accepts a code without PKCE when the authorize request had none (web apps may skip it)', async () => {
    const h = harness();
    const authorize = new URL(`${h.emulator.url}/v2/auth/authorize/`);
    authorize.search = new URLSearchParams({ client_key: 'emulator-client-key', response_type: 'code', scope: 'user.info.basic', redirect_uri: REDIRECT_URI }).toString();
    const callback = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
    expect(callback.searchParams.has('state')).toBe(false);

    const answer = await form(h, '/v2/oauth/token/', { ...client, grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT_URI });
    expect(answer).toMatchObject({ status: 200, body: { token_type: 'Bearer', scope: 'user.info.basic' } });
  });
});

describe('the revoke endpoint', () => {
  it('answers 200 for a token it does not know, and for none at all', async () => {
    const h = harness();
    expect((await form(h, '/v2/oauth/revoke/', { ...client, token: 'act.unknown' })).status).toBe(200);
    expect((await form(h, '/v2/oauth/revoke/', client)).status).toBe(200);
  });

  it('revokes through the refresh token as well', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.client.revokeToken(tokens.refreshToken);
    await expect(h.client.getUserInfo(tokens.accessToken)).rejects.toMatchObject({ code: 'access_token_invalid' });
  });
});

describe('the authorize page', () => {
  it('shows an error page when redirect_uri is missing', async () => {
    const h = harness();
    const response = await fetch(`${h.emulator.url}/v2/auth/authorize/?client_key=emulator-client-key`, { redirect: 'manual' });
    expect(response.status).toBe(400);
  });

  it('redirects with invalid_scope when scope is missing', async () => {
    const h = harness();
    const url = `${h.emulator.url}/v2/auth/authorize/?client_key=emulator-client-key&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`;
    const location = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_scope');
  });
});

describe('API requests', () => {
  it('answers invalid_params for user info without fields or with an unknown field', async () => {
    const h = harness();
    const tokens = await h.connect();
    expect((await api(h, '/v2/user/info/', tokens.accessToken, { method: 'GET' })).body.error.code).toBe('invalid_params');
    expect((await api(h, '/v2/user/info/?fields=open_id,shoe_size', tokens.accessToken, { method: 'GET' })).body.error.message).toBe('Unknown field: shoe_size.');
  });

  it('answers scope_not_authorized for a status fetch without a posting scope', async () => {
    const h = harness();
    const tokens = await h.connect({ scopes: ['user.info.basic'] });
    expect((await api(h, '/v2/post/publish/status/fetch/', tokens.accessToken, { body: '{"publish_id":"x"}' })).body.error.code).toBe('scope_not_authorized');
  });

  it('answers invalid_param for an inbox init without a source, a direct init that is not an object, and a status body that is not JSON', async () => {
    const h = harness();
    const tokens = await h.connect();
    expect((await api(h, '/v2/post/publish/inbox/video/init/', tokens.accessToken, { body: 'null' })).body.error.code).toBe('invalid_param');
    expect((await api(h, '/v2/post/publish/inbox/video/init/', tokens.accessToken)).body.error.code).toBe('invalid_param');
    expect((await api(h, '/v2/post/publish/video/init/', tokens.accessToken, { body: '42' })).body.error.message).toMatch(/^body: /);
    expect((await api(h, '/v2/post/publish/status/fetch/', tokens.accessToken, { body: '{' })).body.error.code).toBe('invalid_param');
  });

  it('answers url_ownership_unverified for a URL that is not http(s) or not a URL', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.configureApp({ verifiedUrlPrefixes: ['example.com'] });
    const init = (videoUrl: string) =>
      api(h, '/v2/post/publish/inbox/video/init/', tokens.accessToken, { body: JSON.stringify({ source_info: { source: 'PULL_FROM_URL', video_url: videoUrl } }) });
    expect((await init('ftp://example.com/v.mp4')).body.error.code).toBe('url_ownership_unverified');
    expect((await init('not a url')).body.error.code).toBe('url_ownership_unverified');
    expect((await init('https://cdn.example.com/v.mp4')).status).toBe(200);
  });

  it('does not rate-limit when limits are switched off', async () => {
    const { startTikTokEmulator } = await import('../src/index.js');
    const emulator = await startTikTokEmulator({ clock: 'manual', rateLimits: { enabled: false } });
    try {
      const tokens = await emulator.issueTokens('reelpost.creator', ['video.publish']);
      for (let n = 0; n < 25; n += 1) {
        const response = await fetch(`${emulator.url}/v2/post/publish/creator_info/query/`, { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}` } });
        expect(response.status).toBe(200);
      }
    } finally {
      await emulator.stop();
    }
  });
});

describe('uploads', () => {
  async function put(url: string, headers: Record<string, string>) {
    return (await fetch(url, { method: 'PUT', headers, body: new Uint8Array(4) })).status;
  }

  it('answers a PUT without an upload id, a content type or a content range', async () => {
    const h = harness();
    const tokens = await h.connect();
    const init = await h.client.initInboxUpload(tokens.accessToken, { source: { source: 'FILE_UPLOAD', videoSize: 4 } });
    expect(await put(`${h.emulator.url}/upload/video/`, { 'content-type': 'video/mp4' })).toBe(404);
    expect(await put(init.uploadUrl!.replace(/&upload_token=\w+/, ''), { 'content-type': 'video/mp4' })).toBe(404);
    expect(await put(init.uploadUrl!, {})).toBe(400);
    expect(await put(init.uploadUrl!, { 'content-type': 'video/mp4' })).toBe(400);
    expect(await put(init.uploadUrl!, { 'content-type': 'video/mp4; codecs=avc1', 'content-range': 'bytes 0-3/4' })).toBe(201);
    // The last chunk again: still done.
    expect(await put(init.uploadUrl!, { 'content-type': 'video/mp4', 'content-range': 'bytes 0-3/4' })).toBe(201);
  });

  it('takes no more chunks for a post that failed meanwhile', async () => {
    const h = harness();
    const tokens = await h.connect();
    const init = await h.client.initInboxUpload(tokens.accessToken, { source: { source: 'FILE_UPLOAD', videoSize: 4 } });
    await h.emulator.revokeAuthorization(tokens.openId);
    expect(await put(init.uploadUrl!, { 'content-type': 'video/mp4', 'content-range': 'bytes 0-3/4' })).toBe(416);
  });

  it('counts nothing left to send as complete', async () => {
    const h = harness();
    const result = await h.client.uploadChunks({ uploadUrl: 'http://127.0.0.1:1/never-called', size: 10, contentType: 'video/mp4', readChunk: () => new Uint8Array(10), fromChunk: 1 });
    expect(result).toMatchObject({ chunksSent: 0, uploadedBytes: 10, complete: true });
  });

  it('passes the caller’s signal to each chunk', async () => {
    const h = harness();
    const tokens = await h.connect();
    const init = await h.client.initInboxUpload(tokens.accessToken, { source: { source: 'FILE_UPLOAD', videoSize: 4 } });
    const controller = new AbortController();
    controller.abort();
    await expect(
      h.client.uploadChunks({ uploadUrl: init.uploadUrl!, size: 4, contentType: 'video/mp4', readChunk: () => new Uint8Array(4), signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'aborted' });
  });
});

describe('downloads', () => {
  it('stops a download without a length once it passes the limit', async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await h.client.initInboxUpload(tokens.accessToken, {
      source: { source: 'PULL_FROM_URL', videoUrl: `${h.videos.url}/videos/streamed.mp4?bytes=300000000` },
    });
    await h.emulator.settle();
    const status = await h.client.fetchPostStatus(tokens.accessToken, publishId);
    expect(status).toMatchObject({ status: 'FAILED', failReason: 'video_pull_failed' });
    expect(status.downloadedBytes).toBeGreaterThan(256 * 1024 * 1024);
    // Streaming 300 MB takes about 5 s on a busy two-core machine, the default timeout's edge.
  }, 30_000);
});

describe('controls', () => {
  it('counts calls per user', async () => {
    const h = harness();
    const first = await h.connect();
    await h.client.getUserInfo(first.accessToken);
    expect(await h.emulator.calls({ openId: first.openId, endpoint: 'user.info' })).toBe(1);
    expect(await h.emulator.calls({ openId: 'someone-else' })).toBe(0);
  });

  it('ignores a second pause and a resume without a pause', async () => {
    const h = harness();
    await h.emulator.resumeProcessing();
    await h.emulator.pauseProcessing();
    await h.emulator.pauseProcessing();
    await h.emulator.resumeProcessing();
  });

  it('shifts moderation by the time processing was paused', async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await h.client.initDirectPost(tokens.accessToken, {
      postInfo: { privacyLevel: 'PUBLIC_TO_EVERYONE' },
      source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('sample') },
    });
    await h.emulator.settle();
    await h.emulator.advance(5_000);
    await h.emulator.pauseProcessing();
    await h.emulator.advance(60_000);
    await h.emulator.resumeProcessing();
    expect((await h.client.fetchPostStatus(tokens.accessToken, publishId)).publiclyAvailablePostIds).toEqual([]);
    await h.emulator.advance(30_000);
    expect((await h.client.fetchPostStatus(tokens.accessToken, publishId)).publiclyAvailablePostIds).toHaveLength(1);
  });

  it('refuses to act on a user that does not exist', async () => {
    const h = harness();
    await expect(h.emulator.revokeAuthorization('ghost')).rejects.toThrow('no test user ghost');
    await expect(h.emulator.issueTokens('ghost')).rejects.toThrow('no test user ghost');
    await expect(h.emulator.clearInbox('ghost')).rejects.toThrow('no test user ghost');
  });
});
