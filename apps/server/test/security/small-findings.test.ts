import { describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../src/demo/seed.js';
import { bearer, useSecurityServer } from './harness.js';
import { hs256 } from './tokens.js';

// Issue 17, finding 8 (the small ones), through the whole demo server. On main's code: a token "issued" an hour
// ahead was accepted, a refused video URL's error listed the allowed prefixes, and a media row's `javascript:` URL
// was returned as written. Each test fails there.

const server = useSecurityServer();

/** The demo user's own token, re-signed with the demo secret under other times. */
function demoToken(claims: { iat: number; exp: number }): string {
  const { runtime, env } = server();
  const genuine = JSON.parse(Buffer.from(runtime.demo!.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  return hs256({ ...genuine, ...claims }, env.DEMO_JWT_SECRET!);
}

describe('tokens', () => {
  it('a token whose iat is an hour ahead is refused (401), though its signature and exp are fine', async () => {
    const now = Math.floor(Date.now() / 1000);
    const future = demoToken({ iat: now + 3600, exp: now + 7200 });
    const response = await server().request('/api/v1/tasks', { headers: bearer(future) });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    // Control: the same token issued now is accepted.
    expect((await server().request('/api/v1/tasks', { headers: bearer(demoToken({ iat: now, exp: now + 3600 })) })).status).toBe(200);
  });
});

describe('what leaves the API', () => {
  it('a refused video URL does not list the allowed prefixes in the error', async () => {
    const { db } = server().runtime.deps;
    await db
      .updateTable('instance_tasks')
      .set({ output_data: JSON.stringify({ video_url: 'https://elsewhere.example/video.mp4' }) })
      .where('id', '=', DEMO_IDS.videoTask)
      .execute();
    const response = await server().request(`/api/v1/tasks/${DEMO_IDS.videoTask}/post-to-tiktok`, {
      method: 'POST',
      headers: { ...bearer(server().runtime.demo!.token), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Elsewhere #ai', privacyLevel: 'SELF_ONLY' }),
    });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'VIDEO_URL_NOT_ALLOWED', details: { reason: 'not_allowed_prefix' } } });
    expect(text).not.toContain('/demo-media/');
    expect(text).not.toContain('allowedPrefixes');
  });

  it('media an agent attached with a non-http(s) URL is left out of tasks.detail; http(s) media is kept', async () => {
    const { db } = server().runtime.deps;
    const urls = ['javascript:alert(document.cookie)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd', 'https://cdn.example/ok.png'];
    await db
      .insertInto('instance_media')
      .values(urls.map((url) => ({ instance_id: DEMO_IDS.instance, task_id: DEMO_IDS.reportTask, url, kind: 'image' as const })))
      .execute();
    const response = await server().request(`/api/v1/tasks/${DEMO_IDS.reportTask}/detail`, { headers: bearer(server().runtime.demo!.token) });
    const text = await response.text();
    expect(response.status).toBe(200);
    const media = (JSON.parse(text) as { attachedMedia: { url: string }[] }).attachedMedia.map((item) => item.url);
    expect(media).toContain('https://cdn.example/ok.png');
    expect(media.every((url) => /^https?:\/\//.test(url))).toBe(true);
    expect(text).not.toMatch(/javascript:|data:text|file:\/\//);
  });
});
