import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DEMO_IDS } from './demo/seed.js';
import { bearer, useRuntime } from '../test/runtime.js';

const runtime = useRuntime();

async function newDemoUser(email: string): Promise<string> {
  const response = await runtime().app.request('/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

async function getJson<T>(path: string, token: string): Promise<T> {
  const response = await runtime().app.request(path, { headers: bearer(token) });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (done(value)) return value;
    await sleep(100);
  }
  throw new Error('gave up waiting');
}

describe('demo mode', () => {
  it('seeds the demo user with two TikTok accounts (one default) and the four demo tasks', async () => {
    const { token } = runtime().demo!;
    const accounts = await getJson<{ isDefault: boolean; state: string }[]>('/api/v1/tiktok/accounts', token);
    expect(accounts.map((account) => [account.isDefault, account.state])).toEqual([
      [true, 'active'],
      [false, 'active'],
    ]);
    const { items } = await getJson<{ items: { id: string; status: string; hasVideo: boolean }[] }>('/api/v1/tasks', token);
    expect(items.map((task) => task.id).sort()).toEqual(Object.values(DEMO_IDS).filter((id) => id !== DEMO_IDS.instance).sort());
    expect(items.find((task) => task.id === DEMO_IDS.videoTask)).toMatchObject({ status: 'completed', hasVideo: true });
    expect(items.find((task) => task.id === DEMO_IDS.reportTask)).toMatchObject({ status: 'completed', hasVideo: false });
  });

  it('POST /dev/token signs in a new email with an empty instance', async () => {
    const token = await newDemoUser('newcomer@example.com');
    expect(await getJson<unknown[]>('/api/v1/tiktok/accounts', token)).toEqual([]);
    expect(await getJson<{ items: unknown[] }>('/api/v1/tasks', token)).toEqual({ items: [], nextCursor: null });
  });

  it('POST /dev/token refuses a body without a valid email', async () => {
    const response = await runtime().app.request('/dev/token', { method: 'POST', body: '{"email":"nope"}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'INVALID_INPUT' } });
  });

  it('serves the sample video with byte ranges, as storage would', async () => {
    const response = await fetch(`${runtime().publicUrl}/demo-media/sample-360x640-4s.mp4`, { headers: { range: 'bytes=0-99' } });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 0-99/147635');
    expect((await response.arrayBuffer()).byteLength).toBe(100);
  });

  it('posts the demo video and TikTok’s webhooks carry it to PUBLISHED', async () => {
    const token = runtime().demo!.token;
    const response = await fetch(`${runtime().publicUrl}/api/v1/tasks/${DEMO_IDS.videoTask}/post-to-tiktok`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Demo #ai', privacyLevel: 'SELF_ONLY', accountId: (await getJson<{ id: string }[]>('/api/v1/tiktok/accounts', token))[1]!.id }),
    });
    expect(response.status).toBe(200);
    const published = await until(
      () => runtime().deps.db.selectFrom('tiktok_posts').selectAll().where('task_id', '=', DEMO_IDS.videoTask).executeTakeFirstOrThrow(),
      (post) => post.status === 'PUBLISHED',
    );
    expect(published.public_url).toBe('https://www.tiktok.com/@quiet.studio');
    const events = await runtime().deps.db.selectFrom('tiktok_webhook_events').select('event').execute();
    expect(events.map((event) => event.event)).toContain('post.publish.complete');
  });
});

describe('an inbox post in demo mode', () => {
  it('goes SENT_TO_INBOX, then PUBLISHED with its public link once the creator posts it (POST /dev/tiktok/creator-posts-draft)', async () => {
    const demoToken = runtime().demo!.token;
    const posted = await runtime().app.request(`/api/v1/tasks/${DEMO_IDS.videoTask}/post-to-tiktok`, {
      method: 'POST',
      headers: { ...bearer(demoToken), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Draft #ai', privacyLevel: 'PUBLIC_TO_EVERYONE', mode: 'inbox', idempotencyKey: 'demo-inbox-post' }),
    });
    expect(posted.status).toBe(200);
    const { publishId } = (await posted.json()) as { publishId: string };
    const status = () => getJson<{ status: string; publicUrl: string | null; message: string }>(`/api/v1/tasks/${DEMO_IDS.videoTask}/post-status`, demoToken);
    const waiting = await until(status, (view) => view.status === 'SENT_TO_INBOX');
    expect(waiting.message).toMatch(/Waiting for the creator/);

    const creatorPosts = await runtime().app.request('/dev/tiktok/creator-posts-draft', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ publishId }),
    });
    expect(creatorPosts.status).toBe(200);
    const published = await until(status, (view) => view.status === 'PUBLISHED' && view.publicUrl !== null && view.publicUrl.includes('/video/'));
    expect(published.publicUrl).toMatch(/^https:\/\/www\.tiktok\.com\/@reelpost\.creator\/video\/\d+$/);

    const again = await runtime().app.request('/dev/tiktok/creator-posts-draft', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ publishId }),
    });
    expect(again.status).toBe(404);
  }, 30_000);
});

describe('the TikTok OAuth callback', () => {
  it('sends the browser back to the app page it came from, which finishes the connect', async () => {
    const token = await newDemoUser('connector@example.com');
    const [instance] = await runtime().deps.db
      .selectFrom('instances as i')
      .innerJoin('users as u', 'u.id', 'i.owner_id')
      .select('i.id')
      .where('u.email', '=', 'connector@example.com')
      .execute();
    const connect = await runtime().app.request('/api/v1/tiktok/connect', {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ instanceId: instance!.id, redirectTo: '/settings/accounts' }),
    });
    const { authorizeUrl } = (await connect.json()) as { authorizeUrl: string };
    // PKCE as TikTok documents it (TIKTOK_PKCE=hex, the default): the hex SHA-256 of the verifier, S256.
    expect(new URL(authorizeUrl).searchParams.get('code_challenge')).toMatch(/^[0-9a-f]{64}$/);
    expect(new URL(authorizeUrl).searchParams.get('code_challenge_method')).toBe('S256');
    // The emulator's consent page, answered as a person choosing its first user would.
    const emulatorUsers = await runtime().deps.db.selectFrom('instance_tiktok_credentials').select('open_id').where('instance_id', '=', DEMO_IDS.instance).execute();
    const consent = await fetch(`${authorizeUrl}&emulator_user=${encodeURIComponent(emulatorUsers[0]!.open_id)}`, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);
    expect(callback.pathname).toBe('/tiktok/callback');

    const landed = await runtime().app.request(`${callback.pathname}${callback.search}`);
    expect(landed.status).toBe(302);
    const target = new URL(landed.headers.get('location')!);
    expect(target.pathname).toBe('/settings/accounts');
    // The app page finishes the connect as its signed-in user, with what the fragment (never sent to a server) holds.
    const handed = new URLSearchParams(target.hash.slice(1));
    const finished = await runtime().app.request('/api/v1/tiktok/connect/complete', {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ state: handed.get('tiktok_state'), code: handed.get('tiktok_code') }),
    });
    expect(finished.status).toBe(200);
    expect(await finished.json()).toMatchObject({ redirectTo: '/settings/accounts', account: { isDefault: true } });
    expect(await getJson<{ isDefault: boolean }[]>('/api/v1/tiktok/accounts', token)).toEqual([expect.objectContaining({ isDefault: true })]);

    const replay = await runtime().app.request(`${callback.pathname}${callback.search}`);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('already used');
  });

  it('shows a clear page, never a 500, for a state it never issued', async () => {
    const response = await runtime().app.request('/tiktok/callback?state=forged&code=whatever');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('was not started here');
  });
});

describe('the TikTok webhook route', () => {
  it('refuses a delivery without a valid signature', async () => {
    const response = await runtime().app.request('/webhooks/tiktok', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'tiktok-signature': 't=1,s=00' },
      body: '{"event":"post.publish.complete"}',
    });
    expect(response.status).toBe(401);
  });
});

describe('a photo post in demo mode', () => {
  it('posts the seeded image task (3 JPEGs served by the demo media route) over REST and follows it to PUBLISHED', async () => {
    const demoToken = runtime().demo!.token;
    const detail = await getJson<{ output: { postable: string; photos: { url: string }[] } }>(`/api/v1/tasks/${DEMO_IDS.photoTask}/detail`, demoToken);
    expect(detail.output.postable).toBe('photo');
    expect(detail.output.photos).toHaveLength(3);
    const posted = await runtime().app.request(`/api/v1/tasks/${DEMO_IDS.photoTask}/post-to-tiktok`, {
      method: 'POST',
      headers: { ...bearer(demoToken), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Three moods', description: 'Made by an agent #ai', photoCoverIndex: 1, privacyLevel: 'SELF_ONLY' }),
    });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toMatchObject({ mediaType: 'PHOTO', status: 'PROCESSING' });
    const status = () => getJson<{ status: string; publicUrl: string | null }>(`/api/v1/tasks/${DEMO_IDS.photoTask}/post-status`, demoToken);
    const published = await until(status, (view) => view.status === 'PUBLISHED' || view.status === 'FAILED');
    expect(published).toMatchObject({ status: 'PUBLISHED', publicUrl: 'https://www.tiktok.com/@reelpost.creator' });
  }, 60_000);
});
