import { setTimeout as sleep } from 'node:timers/promises';
import { demoSubFor } from '@reelpost/api';
import { EventSource } from 'eventsource';
import { describe, expect, it } from 'vitest';
import { collect, currentStateThenChanges, useLiveStatus } from '../../api/test/live-world.js';
import { usePostingWorld } from '../../api/test/posting-world.js';
import { runStatusJob } from '../../api/src/posting/workers.js';
import { waitForPublish, watchPost } from '../src/index.js';
import { inProcessApi } from './api.js';

// Live status through the client: the real router's tiktok.watch over server-sent events (an EventSource reading
// the in-process API), a LISTEN connection on the test database, and the emulator.

const world = usePostingWorld();
useLiveStatus(world);
let people = 0;

async function creatorWithLiveClient() {
  const label = `client-watcher-${++people}`;
  const seeded = await world().creator({ label });
  const api = inProcessApi(world().deps);
  const email = `${label}@example.com`;
  await world().deps.db.updateTable('users').set({ sub: demoSubFor(email) }).where('id', '=', seeded.user.id).execute();
  const { token } = await api.signIn(email);
  /** An EventSource that reaches the in-process API, as a browser's reaches the server. */
  class InProcessEventSource extends EventSource {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, { ...init, fetch: api.fetch });
    }
  }
  return { ...seeded, api, client: api.client({ token, EventSource: InProcessEventSource as unknown as typeof globalThis.EventSource }) };
}

const privatePost = { title: 'Made by an agent #ai', privacyLevel: 'SELF_ONLY' as const };

describe('watchPost', () => {
  it('yields the current state, then each change, and ends after PUBLISHED with its link', async () => {
    const { client, task } = await creatorWithLiveClient();
    const { postId } = await client.tiktok.post.mutate({ taskId: task.id, ...privatePost });
    const reading = await currentStateThenChanges(watchPost(client, { taskId: task.id }));
    await world().emulator.advance(120_000);
    await runStatusJob(world().deps, postId);
    const events = await reading.all();
    expect(events.map((event) => [event.status, event.seq])).toEqual([
      ['PROCESSING', 1],
      ['PUBLISHED', 2],
    ]);
    expect(events[1]!.publicUrl).toMatch(/^https:\/\/www\.tiktok\.com\//);
    expect(events[1]!.at).toBeInstanceOf(Date);
  });

  it('throws FORBIDDEN for another user’s task, with no event', async () => {
    const owner = await creatorWithLiveClient();
    await owner.client.tiktok.post.mutate({ taskId: owner.task.id, ...privatePost });
    const stranger = await creatorWithLiveClient();
    await expect(collect(watchPost(stranger.client, { taskId: owner.task.id }))).rejects.toMatchObject({ data: { appCode: 'FORBIDDEN' } });
  });
});

describe('waitForPublish with live status', () => {
  it('reads the status at each change, without polling in between', async () => {
    const { client, task, api } = await creatorWithLiveClient();
    const { postId } = await client.tiktok.post.mutate({ taskId: task.id, ...privatePost });
    const sleeps: number[] = [];
    const waiting = waitForPublish(client, { taskId: task.id, sleep: async (ms) => void sleeps.push(ms) });
    await sleep(500);
    const statusCallsBefore = api.requests.filter((request) => request.url.includes('tiktok.status')).length;
    // The change written as any writer would (a webhook in another process, say): the stream carries it here.
    await world()
      .deps.db.updateTable('tiktok_posts')
      .set({ status: 'PUBLISHED', public_url: 'https://www.tiktok.com/@creator', next_check_at: null })
      .where('id', '=', postId)
      .execute();
    expect(await waiting).toMatchObject({ status: 'PUBLISHED' });
    expect(sleeps).toEqual([]);
    expect(api.requests.filter((request) => request.url.includes('tiktok.status')).length - statusCallsBefore).toBeLessThanOrEqual(2);
  });
});
