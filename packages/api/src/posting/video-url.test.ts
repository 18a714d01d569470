import { describe, expect, it } from 'vitest';
import { usePostingWorld } from '../../test/posting-world.js';
import { runStatusJob } from './workers.js';

// TikTok's PULL_FROM_URL needs an https URL under a verified prefix that does not redirect (Content Posting API,
// "Corrections (2026-12-05)"). The guard follows a storage host's redirects itself, each hop checked, and hands
// TikTok the final location — which must be under a verified prefix too (packages/api/src/video/README.md).

const world = usePostingWorld();

const basePost = { title: 'Made by an agent #ai', privacyLevel: 'SELF_ONLY' as const };

describe('a video URL that redirects', () => {
  it('is sent to TikTok as its final location, which TikTok pulls without a redirect', async () => {
    const { caller, task } = await world().creator({ videoUrl: world().redirectingVideoUrl('sample') });
    const { postId } = await caller.tiktok.post({ taskId: task.id, ...basePost });

    const [publish] = await world().emulator.publishes();
    expect(publish?.videoUrl).toBe(world().videoUrl('sample'));
    const row = await world().deps.db.selectFrom('tiktok_posts').select('video_url').where('id', '=', postId).executeTakeFirstOrThrow();
    expect(row.video_url).toBe(world().videoUrl('sample'));

    await world().emulator.advance(60_000);
    await world().emulator.settle();
    await runStatusJob(world().deps, postId);
    expect(await caller.tiktok.status({ taskId: task.id })).toMatchObject({ status: 'PUBLISHED' });
  });
});
