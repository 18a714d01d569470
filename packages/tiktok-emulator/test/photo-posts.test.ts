import { describe, expect, it } from 'vitest';
import type { TikTokPhotoPostInput } from '@reelpost/tiktok';
import { rejectionOf, useEmulator, type Harness } from './support.js';

// Photo posts (content/init, media_type PHOTO): the client's checks before sending, the emulator's checks as TikTok
// makes them, and the same status lifecycle and webhooks as videos.

const harness = useEmulator();

function photoPost(h: Harness, overrides: Partial<TikTokPhotoPostInput> = {}): TikTokPhotoPostInput {
  return {
    postMode: 'DIRECT_POST',
    postInfo: { title: 'Three frames', description: 'Made by an agent #ai', privacyLevel: 'SELF_ONLY' },
    photoImages: [h.videos.photoUrlOf('first'), h.videos.photoUrlOf('second'), h.videos.photoUrlOf('webp')],
    photoCoverIndex: 1,
    ...overrides,
  };
}

async function rawInit(h: Harness, accessToken: string, body: unknown) {
  const response = await fetch(`${h.emulator.url}/v2/post/publish/content/init/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { error: { code: string; message: string } } };
}

describe('photo posts', () => {
  it('sends content/init with media_type PHOTO, the images in order and the cover, and publishes', async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await h.client.initPhotoPost(tokens.accessToken, photoPost(h));
    expect(await h.emulator.calls({ endpoint: 'content.init' })).toBe(1);
    const [publish] = await h.emulator.publishes();
    expect(publish).toMatchObject({
      publishId,
      mode: 'direct',
      photo: { images: photoPost(h).photoImages, coverIndex: 1 },
      postInfo: { title: 'Three frames', description: 'Made by an agent #ai', privacy_level: 'SELF_ONLY', disable_comment: true, auto_add_music: true },
    });
    await h.emulator.settle();
    await h.emulator.advance(10_000);
    await expect(h.client.fetchPostStatus(tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'PUBLISH_COMPLETE', isFinal: true });
  });

  it('ends a MEDIA_UPLOAD photo post in the creator’s inbox', async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await h.client.initPhotoPost(tokens.accessToken, photoPost(h, { postMode: 'MEDIA_UPLOAD', postInfo: { title: 'Draft' } }));
    await h.emulator.settle();
    await h.emulator.advance(10_000);
    await expect(h.client.fetchPostStatus(tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'SEND_TO_USER_INBOX' });
  });

  it('fails a PNG with file_format_check_failed: TikTok takes JPEG and WebP only, judged from the bytes', async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await h.client.initPhotoPost(tokens.accessToken, photoPost(h, { photoImages: [h.videos.photoUrlOf('first'), h.videos.photoUrlOf('png')], photoCoverIndex: 0 }));
    await h.emulator.settle();
    await h.emulator.advance(10_000);
    await expect(h.client.fetchPostStatus(tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'FAILED', failReason: 'file_format_check_failed' });
  });

  it('fails with photo_pull_failed when an image cannot be downloaded', async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await h.client.initPhotoPost(tokens.accessToken, photoPost(h, { photoImages: [`${h.videos.url}/videos/photos/missing.jpg`], photoCoverIndex: 0 }));
    await h.emulator.settle();
    await expect(h.client.fetchPostStatus(tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'FAILED', failReason: 'photo_pull_failed' });
  });

  it.each([
    ['36 images', (h: Harness) => photoPost(h, { photoImages: Array.from({ length: 36 }, () => h.videos.photoUrlOf('first')) }), 'photoImages'],
    ['a 91-character title', (h: Harness) => photoPost(h, { postInfo: { title: 'x'.repeat(91), privacyLevel: 'SELF_ONLY' } }), 'postInfo.title'],
    ['a 4,001-character description', (h: Harness) => photoPost(h, { postInfo: { description: 'x'.repeat(4001), privacyLevel: 'SELF_ONLY' } }), 'postInfo.description'],
    ['a cover index past the last image', (h: Harness) => photoPost(h, { photoCoverIndex: 3 }), 'photoCoverIndex'],
    ['a direct post without a privacy level', (h: Harness) => photoPost(h, { postInfo: { title: 'x' } }), 'postInfo.privacyLevel'],
  ])('refuses %s in the client, before anything is sent', async (_name, input, path) => {
    const h = harness();
    const tokens = await h.connect();
    const error = await rejectionOf(h.client.initPhotoPost(tokens.accessToken, input(h)));
    expect(error).toMatchObject({ code: 'invalid_input', endpoint: 'content.init' });
    expect((error as Error).message).toContain(path);
    expect(await h.emulator.calls({ endpoint: 'content.init' })).toBe(0);
  });

  it('refuses plain http image URLs in a client talking to the real TikTok', async () => {
    const h = harness();
    const tokens = await h.connect();
    const strict = h.makeClient({ allowHttpVideoUrls: false });
    const error = await rejectionOf(strict.initPhotoPost(tokens.accessToken, photoPost(h)));
    expect(error).toMatchObject({ code: 'invalid_input', endpoint: 'content.init' });
    expect(await h.emulator.calls({ endpoint: 'content.init' })).toBe(0);
  });

  it.each([
    ['media_type VIDEO', { media_type: 'VIDEO' }, 400, 'invalid_param'],
    ['36 images', { source_info: { source: 'PULL_FROM_URL', photo_images: Array.from({ length: 36 }, () => 'x'), photo_cover_index: 0 } }, 400, 'invalid_param'],
    ['FILE_UPLOAD', { source_info: { source: 'FILE_UPLOAD', photo_images: ['x'] } }, 400, 'invalid_param'],
    ['a 91-character title', { post_info: { title: 'x'.repeat(91), privacy_level: 'SELF_ONLY' } }, 400, 'invalid_param'],
    ['a cover index out of range', { source_info: { source: 'PULL_FROM_URL', photo_images: ['https://a.example/1.jpg'], photo_cover_index: 1 } }, 400, 'invalid_param'],
    ['a privacy level the creator lacks', { post_info: { privacy_level: 'FOLLOWER_OF_CREATOR' } }, 403, 'privacy_level_option_mismatch'],
    ['an image outside the verified prefixes', { source_info: { source: 'PULL_FROM_URL', photo_images: ['https://elsewhere.example/1.jpg'] } }, 403, 'url_ownership_unverified'],
  ])('the emulator refuses %s as TikTok does', async (_name, change, status, code) => {
    const h = harness();
    const tokens = await h.connect();
    const body = {
      media_type: 'PHOTO',
      post_mode: 'DIRECT_POST',
      post_info: { title: 'ok', privacy_level: 'SELF_ONLY' },
      source_info: { source: 'PULL_FROM_URL', photo_images: [h.videos.photoUrlOf('first')], photo_cover_index: 0 },
      ...change,
    };
    const answer = await rawInit(h, tokens.accessToken, body);
    expect({ status: answer.status, code: answer.body.error.code }).toEqual({ status, code });
    expect(await h.emulator.publishes()).toHaveLength(0);
  });

  it('needs video.upload for MEDIA_UPLOAD and video.publish for DIRECT_POST', async () => {
    const h = harness();
    const tokens = await h.connect({ scopes: ['user.info.basic', 'video.publish'] });
    const error = await rejectionOf(h.client.initPhotoPost(tokens.accessToken, photoPost(h, { postMode: 'MEDIA_UPLOAD' })));
    expect(error).toMatchObject({ code: 'scope_not_authorized', endpoint: 'content.init' });
  });

  it('is never retried once it may have reached TikTok (drop after commit: one init, outcome unknown)', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.failNext('content.init', 'drop-after-commit');
    const error = await rejectionOf(h.client.initPhotoPost(tokens.accessToken, photoPost(h)));
    expect(error).toMatchObject({ outcomeUnknown: true, endpoint: 'content.init' });
    expect(await h.emulator.calls({ endpoint: 'content.init' })).toBe(1);
  });

  it('counts against its own limit of 6 inits a minute per token', async () => {
    const h = harness();
    const tokens = await h.connect();
    const client = h.makeClient({ rateLimits: false, retry: false });
    for (let i = 0; i < 6; i += 1) await client.initPhotoPost(tokens.accessToken, photoPost(h, { postInfo: { title: `p${i}`, privacyLevel: 'SELF_ONLY' } }));
    const error = await rejectionOf(client.initPhotoPost(tokens.accessToken, photoPost(h)));
    expect(error).toMatchObject({ code: 'rate_limit_exceeded', endpoint: 'content.init' });
  });
});
