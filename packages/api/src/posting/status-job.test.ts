import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { usePostingWorld } from '../../test/posting-world.js';
import { statusJobKey } from './job-definitions.js';
import { applyTikTokUpdate } from './transitions.js';

// A post finished by TikTok's webhook needs no more polling: its pending status check goes with it, instead of
// running once more to find nothing to do (one job and its queries per post, measured in bench:scale).

const world = usePostingWorld();

async function pendingJobs(key: string): Promise<number> {
  const { rows } = await sql<{ count: number }>`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE key = ${key}`.execute(world().deps.db);
  return rows[0]!.count;
}

describe('the status check of a post', () => {
  it('is removed when TikTok’s news makes the post final, and kept while it is still processing', async () => {
    const { caller, task } = await world().creator();
    const { postId } = await caller.tiktok.post({ taskId: task.id, title: 'Done #ai', privacyLevel: 'SELF_ONLY' });
    expect(await pendingJobs(statusJobKey(postId))).toBe(1);

    await applyTikTokUpdate(world().deps.db, world().deps, postId, { tiktokStatus: 'PROCESSING_DOWNLOAD', downloadedBytes: 10 });
    expect(await pendingJobs(statusJobKey(postId))).toBe(1);

    const post = await applyTikTokUpdate(world().deps.db, world().deps, postId, { tiktokStatus: 'PUBLISH_COMPLETE' });
    expect(post).toMatchObject({ status: 'PUBLISHED', next_check_at: null });
    expect(await pendingJobs(statusJobKey(postId))).toBe(0);
  });
});
