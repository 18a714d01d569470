import { demoSubFor } from '@reelpost/api';
import { usePostingWorld } from '@reelpost/api/testing';
import { describe, expect, it } from 'vitest';
import { readReelpostError, type PostState, waitForPublish, WaitForPublishTimeoutError } from '../src/index.js';
import { inProcessApi } from './api.js';

// Posting and following a post through the client, end to end: the real router over HTTP (in-process), real
// tokens, the test's database, a video host and the TikTok emulator. waitForPublish's sleep moves the emulator's
// clock instead of waiting, so TikTok's processing happens between two status calls, as it would in real time.

const world = usePostingWorld();
let people = 0;

async function creatorWithClient(video?: 'lowFps') {
  const label = `client-poster-${++people}`;
  const seeded = await world().creator({ label, ...(video && { video }) });
  const api = inProcessApi(world().deps);
  // Demo sign-in mints tokens for demo users only (`demo|<email>`): the seeded owner becomes one.
  const email = `${label}@example.com`;
  await world().deps.db.updateTable('users').set({ sub: demoSubFor(email) }).where('id', '=', seeded.user.id).execute();
  const { token } = await api.signIn(email);
  return { ...seeded, client: api.client({ token }) };
}

/** waitForPublish's time: a counter, and TikTok's clock moved by every pause. */
function tiktokTime() {
  let now = Date.now();
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
      await world().emulator.advance(ms);
    },
    random: () => 0.5,
  };
}

const basePost = { title: 'Made by an agent #ai', privacyLevel: 'SELF_ONLY' as const };

describe('posting through the client', () => {
  it('posts once, and waitForPublish follows the post to PUBLISHED', async () => {
    const { client, task, account } = await creatorWithClient();
    const posted = await client.tiktok.post.mutate({ taskId: task.id, ...basePost });
    expect(posted).toMatchObject({ status: 'PROCESSING', taskId: task.id, accountId: account.id, outcomeUnknown: false });
    expect(posted.createdAt).toBeInstanceOf(Date);

    const seen: PostState[] = [];
    const time = tiktokTime();
    const final = await waitForPublish(client, { taskId: task.id, onProgress: (status) => seen.push(status.status), ...time });

    expect(final).toMatchObject({
      postId: posted.postId,
      status: 'PUBLISHED',
      tiktokStatus: 'PUBLISH_COMPLETE',
      publicUrl: `https://www.tiktok.com/@${account.username}`,
    });
    expect(final.lastCheckedAt).toBeInstanceOf(Date);
    expect(seen[0]).toBe('PROCESSING');
    expect(seen.at(-1)).toBe('PUBLISHED');
    expect(time.sleeps[0]).toBe(1000);

    // The same post again (a double click, a retry) is the same post: TikTok saw one init.
    const again = await client.tiktok.post.mutate({ taskId: task.id, ...basePost });
    expect(again).toMatchObject({ postId: posted.postId, status: 'PUBLISHED' });
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(1);
  });

  it('stops at SENT_TO_INBOX (waiting for the creator) for an inbox upload', async () => {
    const { client, task } = await creatorWithClient();
    await client.tiktok.post.mutate({ taskId: task.id, ...basePost, mode: 'inbox' });
    const final = await waitForPublish(client, { taskId: task.id, ...tiktokTime() });
    expect(final).toMatchObject({ status: 'SENT_TO_INBOX', tiktokStatus: 'SEND_TO_USER_INBOX', mode: 'inbox' });
  });

  it('returns a post TikTok rejected as FAILED, with TikTok’s reason', async () => {
    const { client, task } = await creatorWithClient('lowFps');
    await client.tiktok.post.mutate({ taskId: task.id, ...basePost });
    const final = await waitForPublish(client, { taskId: task.id, ...tiktokTime() });
    expect(final).toMatchObject({ status: 'FAILED', failReason: 'frame_rate_check_failed' });
    expect(final.hint).toMatch(/fps/);
  });

  it('waits while a post is scheduled, until the deadline; a cancelled post is final at once', async () => {
    const { client, task } = await creatorWithClient();
    const scheduledAt = new Date(Date.now() + 3_600_000);
    const scheduled = await client.tiktok.post.mutate({ taskId: task.id, ...basePost, scheduledAt });
    expect(scheduled).toMatchObject({ status: 'SCHEDULED', scheduledAt });

    const timeout = await waitForPublish(client, { taskId: task.id, timeoutMs: 20_000, ...tiktokTime() }).catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(WaitForPublishTimeoutError);
    expect((timeout as WaitForPublishTimeoutError).lastStatus).toMatchObject({ status: 'SCHEDULED', scheduledAt });

    expect(await client.tiktok.cancel.mutate({ taskId: task.id })).toMatchObject({ status: 'CANCELLED' });
    const time = tiktokTime();
    expect(await waitForPublish(client, { taskId: task.id, ...time })).toMatchObject({ status: 'CANCELLED' });
    expect(time.sleeps).toEqual([]);
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(0);
  });

  it('rejects with the API’s POST_NOT_FOUND for a task that was never posted', async () => {
    const { client, task } = await creatorWithClient();
    const error = await waitForPublish(client, { taskId: task.id, ...tiktokTime() }).catch((e: unknown) => e);
    expect(readReelpostError(error)).toMatchObject({ code: 'POST_NOT_FOUND', httpStatus: 404 });
  });

  it('reads PRIVACY_LEVEL_NOT_ALLOWED, with the levels the creator offers, from a refused post', async () => {
    const { client, task } = await creatorWithClient();
    const [creator] = await world().emulator.users();
    await world().emulator.updateUser(creator!.username, { privacyLevelOptions: ['SELF_ONLY', 'MUTUAL_FOLLOW_FRIENDS'] });

    const error = await client.tiktok.post.mutate({ taskId: task.id, ...basePost, privacyLevel: 'PUBLIC_TO_EVERYONE' }).catch((e: unknown) => e);
    const problem = readReelpostError(error);
    expect(problem).toMatchObject({ code: 'PRIVACY_LEVEL_NOT_ALLOWED', httpStatus: 400 });
    expect(JSON.stringify(problem?.details)).toContain('MUTUAL_FOLLOW_FRIENDS');
    expect(problem?.hint).toBeTruthy();
  });
});
