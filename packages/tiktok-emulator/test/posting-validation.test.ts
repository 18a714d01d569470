import { describe, expect, it } from 'vitest';
import type { TikTokError, TikTokPostInfo } from '@reelpost/tiktok';
import { rejectionOf, useEmulator, type Harness } from './support.js';

// Inits the client refuses before sending, and raw requests to the posting endpoints, answered with the codes and HTTP statuses of TikTok's posting pages.

const harness = useEmulator();

async function postFromUrl(h: Harness, accessToken: string, videoUrl: string, postInfo: TikTokPostInfo = { privacyLevel: 'PUBLIC_TO_EVERYONE' }) {
  return h.client.initDirectPost(accessToken, { postInfo, source: { source: 'PULL_FROM_URL', videoUrl } });
}

describe('the emulator validates raw requests as TikTok does', () => {
  async function rawInit(h: Harness, accessToken: string, body: unknown, path = '/v2/post/publish/video/init/') {
    const response = await fetch(`${h.emulator.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json; charset=UTF-8' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { error: { code: string; message: string } } };
  }

  const source = (url: string) => ({ source: 'PULL_FROM_URL', video_url: url });

  it('answers invalid_param (the posting pages\' spelling) for a title over 2,200 UTF-16 code units', async () => {
    const h = harness();
    const tokens = await h.connect();
    const answer = await rawInit(h, tokens.accessToken, { post_info: { title: '😀'.repeat(1101), privacy_level: 'SELF_ONLY' }, source_info: source(h.videos.urlOf('sample')) });
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_param' } } });
  });

  it('answers invalid_param for branded content posted privately', async () => {
    const h = harness();
    const tokens = await h.connect();
    const answer = await rawInit(h, tokens.accessToken, {
      post_info: { privacy_level: 'SELF_ONLY', brand_content_toggle: true },
      source_info: source(h.videos.urlOf('sample')),
    });
    expect(answer.body.error).toMatchObject({ code: 'invalid_param', message: 'Branded content cannot be posted with SELF_ONLY privacy.' });
  });

  it('answers privacy_level_option_mismatch for a missing or unknown privacy level', async () => {
    const h = harness();
    const tokens = await h.connect();
    const sample = source(h.videos.urlOf('sample'));
    expect(await rawInit(h, tokens.accessToken, { post_info: { privacy_level: 'EVERYONE' }, source_info: sample })).toMatchObject({
      status: 403,
      body: { error: { code: 'privacy_level_option_mismatch' } },
    });
    expect(await rawInit(h, tokens.accessToken, { post_info: { title: 'no privacy' }, source_info: sample })).toMatchObject({
      status: 403,
      body: { error: { code: 'privacy_level_option_mismatch' } },
    });
  });

  it('answers invalid_param for a missing source and a body that is not JSON', async () => {
    const h = harness();
    const tokens = await h.connect();
    expect(await rawInit(h, tokens.accessToken, { post_info: { privacy_level: 'SELF_ONLY' } })).toMatchObject({ status: 400, body: { error: { code: 'invalid_param' } } });
    expect((await rawInit(h, tokens.accessToken, '{"post_info":')).body.error.code).toBe('invalid_param');
  });

  it('answers access_token_invalid without a bearer token', async () => {
    const h = harness();
    const answer = await rawInit(h, '', {});
    expect(answer).toMatchObject({ status: 401, body: { error: { code: 'access_token_invalid' } } });
  });

  it('answers invalid_param for a status request without a publish_id', async () => {
    const h = harness();
    const tokens = await h.connect();
    expect((await rawInit(h, tokens.accessToken, {}, '/v2/post/publish/status/fetch/')).body.error.code).toBe('invalid_param');
  });

  it('answers invalid_publish_id (400) for a publish_id TikTok does not know, with its own message and hint', async () => {
    const h = harness();
    const tokens = await h.connect();
    const error = await rejectionOf(h.client.fetchPostStatus(tokens.accessToken, 'v_pub_url~v2-1.0'));
    expect(error).toMatchObject({ code: 'invalid_publish_id', httpStatus: 400, known: true, retryable: false, message: 'TikTok has no post with this publish_id.' });
    expect((error as TikTokError).hint).toContain('never created a post');
  });

  it("does not show one creator's publish to another", async () => {
    const h = harness();
    const mine = await h.connect();
    const { publishId } = await h.client.initDirectPost(mine.accessToken, {
      postInfo: { privacyLevel: 'PUBLIC_TO_EVERYONE' },
      source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('sample') },
    });
    const theirs = await h.emulator.issueTokens('quiet.studio');
    await expect(h.client.fetchPostStatus(theirs.access_token, publishId)).rejects.toMatchObject({
      code: 'token_not_authorized_for_specified_publish_id',
      httpStatus: 400,
      known: true,
      message: 'This publish_id belongs to a different TikTok account than the access token.',
    });
  });

  it('answers 404 in the envelope shape for a path TikTok does not have', async () => {
    const h = harness();
    const response = await fetch(`${h.emulator.url}/v2/post/publish/video/init`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('checks before sending', () => {
  it('refuses a title over 2,200 characters without calling TikTok', async () => {
    const h = harness();
    const tokens = await h.connect();
    const error = await rejectionOf(postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'), { title: 'x'.repeat(2201), privacyLevel: 'SELF_ONLY' }));
    expect(error).toMatchObject({ code: 'invalid_input', endpoint: 'video.init' });
    expect(await h.emulator.calls({ endpoint: 'video.init' })).toBe(0);
  });

  it('refuses branded content that would be private', async () => {
    const h = harness();
    const tokens = await h.connect();
    const error = await rejectionOf(postFromUrl(h, tokens.accessToken, h.videos.urlOf('sample'), { privacyLevel: 'SELF_ONLY', brandContentToggle: true }));
    expect(error).toMatchObject({ code: 'invalid_input', detail: 'branded content cannot be private (SELF_ONLY)' });
  });

  it('refuses a source that is not a URL', async () => {
    const h = harness();
    const tokens = await h.connect();
    await expect(postFromUrl(h, tokens.accessToken, 'not a url')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(h.client.initInboxUpload(tokens.accessToken, { source: { source: 'FILE_UPLOAD', videoSize: -1 } })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
