import { describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../demo/seed.js';
import { bearer, useRuntime } from '../../test/runtime.js';
import { readSse } from '../../test/sse.js';

const runtime = useRuntime();
const url = (path: string) => `${runtime().publicUrl}${path}`;
const eventsPath = `/api/v1/tasks/${DEMO_IDS.videoTask}/post-events`;

async function tokenFor(email: string): Promise<string> {
  const response = await fetch(url('/dev/token'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
  return ((await response.json()) as { token: string }).token;
}

interface PostEventBody {
  postId: string;
  status: string;
  publicUrl: string | null;
  seq: number;
  at: string;
}

describe('GET /api/v1/tasks/{taskId}/post-events', () => {
  it('refuses before the stream opens: 401 without a token, 404 before the task is posted', async () => {
    const anonymous = await fetch(url(eventsPath));
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const unposted = await fetch(url(eventsPath), { headers: bearer(runtime().demo!.token) });
    expect(unposted.status).toBe(404);
    expect(((await unposted.json()) as { error: { code: string } }).error.code).toBe('POST_NOT_FOUND');
  });

  it('streams a post from PROCESSING to PUBLISHED with its link as TikTok’s webhooks arrive, then `end`; resumes by Last-Event-ID', async () => {
    const token = runtime().demo!.token;
    const posted = await fetch(url(`/api/v1/tasks/${DEMO_IDS.videoTask}/post-to-tiktok`), {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Live #ai', privacyLevel: 'SELF_ONLY' }),
    });
    expect(posted.status).toBe(200);

    const stream = await fetch(url(eventsPath), { headers: bearer(token) });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const messages = await readSse(stream, (message) => message.event === 'end');
    const posts = messages.filter((message) => message.event === 'post');
    const events = posts.map((message) => JSON.parse(message.data) as PostEventBody);
    expect(events.at(-1)).toMatchObject({ status: 'PUBLISHED', publicUrl: expect.stringMatching(/^https:\/\/www\.tiktok\.com\//) as string });
    expect(posts.map((message) => message.id)).toEqual(events.map((event) => `${event.postId}:${event.seq}`));
    expect(events.map((event) => event.seq)).toEqual([...new Set(events.map((event) => event.seq))].sort((a, b) => a - b));
    expect(messages.at(-1)!.event).toBe('end');

    // Resuming from the first event: the rest once (the row's current state), then `end`.
    const resumed = await readSse(await fetch(url(eventsPath), { headers: { ...bearer(token), 'last-event-id': posts[0]!.id! } }), (message) => message.event === 'end');
    expect(resumed.filter((message) => message.event === 'post').map((message) => message.id)).toEqual([posts.at(-1)!.id]);
  });

  it('403 for another user’s task, with no event', async () => {
    const stranger = await fetch(url(eventsPath), { headers: bearer(await tokenFor('stranger@example.com')) });
    expect(stranger.status).toBe(403);
    expect(stranger.headers.get('content-type')).toMatch(/json/);
  });

  it('is in the OpenAPI document', async () => {
    const document = (await (await fetch(url('/api/v1/openapi.json'))).json()) as { paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, unknown> }> } }> };
    expect(document.paths['/tasks/{taskId}/post-events']?.get?.responses['200']?.content).toHaveProperty('text/event-stream');
  });
});
