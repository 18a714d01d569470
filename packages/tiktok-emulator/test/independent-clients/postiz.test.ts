import { describe, expect, it } from 'vitest';
import { useEmulator } from '../support.js';
import { authorizeRedirect, call, postForm } from './replay.js';

// Replays the requests of Postiz's TikTok provider (gitroomhq/postiz-app,
// libraries/nestjs-libraries/src/integrations/social/tiktok.provider.ts, commit
// 009bd365284542f1cc4875257baf9d4ef4464ee6): an authorize URL without PKCE, a code exchange that still sends
// code_verifier (its state), user info by GET with five fields, creator info as a POST without a body, a direct
// post from a URL, and status polls reading status and publicaly_available_post_id.

const REDIRECT = 'https://app.example.com/integrations/social/tiktok';
const SCOPES = ['video.list', 'user.info.basic', 'video.publish', 'video.upload', 'user.info.profile', 'user.info.stats'];
const harness = useEmulator({ emulator: { app: { redirectUris: [REDIRECT] } } });

describe('Postiz against the emulator', () => {
  it('connects without PKCE, reads the user, queries the creator, posts from a URL and follows the status', async () => {
    const h = harness();
    await h.emulator.configureApp({ verifiedUrlPrefixes: [`${h.videos.url}/videos/`] });
    const state = Math.random().toString(36).substring(2);
    // generateAuthUrl(): no code_challenge at all.
    const authorizeUrl =
      `${h.emulator.url}/v2/auth/authorize/?client_key=${h.emulator.app.clientKey}` +
      `&redirect_uri=${encodeURIComponent(REDIRECT)}&state=${state}&response_type=code&scope=${encodeURIComponent(SCOPES.join(','))}`;
    const callback = await authorizeRedirect(authorizeUrl);
    expect(callback.searchParams.get('state')).toBe(state);

    // authenticate(): form body with code_verifier = state, although no challenge was sent.
    const token = await postForm(h, '/v2/oauth/token/', {
      client_key: h.emulator.app.clientKey,
      client_secret: h.emulator.app.clientSecret,
      code: callback.searchParams.get('code')!,
      grant_type: 'authorization_code',
      code_verifier: state,
      redirect_uri: REDIRECT,
    });
    expect(token.status).toBe(200);
    const { access_token, refresh_token, scope } = token.body as { access_token: unknown; refresh_token: unknown; scope: unknown };
    expect([typeof access_token, typeof refresh_token, typeof scope]).toEqual(['string', 'string', 'string']);
    const bearer = { Authorization: `Bearer ${access_token as string}` };

    const user = await call(h, 'GET', '/v2/user/info/?fields=open_id,avatar_url,display_name,union_id,username', bearer);
    expect(user.status).toBe(200);
    const fields = user.body.data.user as Record<string, unknown>;
    for (const key of ['avatar_url', 'display_name', 'open_id', 'username']) expect(typeof fields[key]).toBe('string');

    // maxVideoLength(): POST with a JSON content type and no body.
    const creator = await call(h, 'POST', '/v2/post/publish/creator_info/query/', { 'Content-Type': 'application/json; charset=UTF-8', ...bearer });
    expect(typeof creator.body.data.max_video_post_duration_sec).toBe('number');

    // post(): a direct post from a URL, interactions from the person's settings (here: all off).
    const init = await call(
      h,
      'POST',
      '/v2/post/publish/video/init/',
      { 'Content-Type': 'application/json; charset=UTF-8', ...bearer },
      JSON.stringify({
        post_info: {
          title: 'Posted by Postiz',
          privacy_level: 'PUBLIC_TO_EVERYONE',
          disable_duet: true,
          disable_comment: true,
          disable_stitch: true,
          is_aigc: false,
          brand_content_toggle: false,
          brand_organic_toggle: false,
        },
        source_info: { source: 'PULL_FROM_URL', video_url: h.videos.urlOf('sample') },
      }),
    );
    expect(init.status).toBe(200);
    expect(typeof init.body.data.publish_id).toBe('string');

    await h.emulator.settle();
    await h.emulator.advance(60_000);
    // uploadedVideoSuccess(): reads status and publicaly_available_post_id (an array; Postiz keeps [0]).
    const status = await call(
      h,
      'POST',
      '/v2/post/publish/status/fetch/',
      { 'Content-Type': 'application/json; charset=UTF-8', ...bearer },
      JSON.stringify({ publish_id: init.body.data.publish_id }),
    );
    expect(status.body.data.status).toBe('PUBLISH_COMPLETE');
    expect(Array.isArray(status.body.data.publicaly_available_post_id)).toBe(true);
    expect(typeof (status.body.data.publicaly_available_post_id as unknown[])[0]).toBe('number');
  });

  it('refreshes with a form body and gets a new refresh token', async () => {
    const h = harness();
    const issued = await h.emulator.issueTokens('reelpost.creator');
    const refreshed = await postForm(h, '/v2/oauth/token/', {
      client_key: h.emulator.app.clientKey,
      client_secret: h.emulator.app.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(issued.refresh_token);
  });
});
