import { describe, expect, it } from 'vitest';
import { usePostingWorld } from '../../test/posting-world.js';
import { takeTikTokCall } from '../tiktok/call-budget.js';
import { publishPost } from './publish.js';

// The init budget (6 a minute per account) is checked before anything else is spent on a post: a post that
// cannot be sent yet asks TikTok nothing, not even creator info, and a job tries again when the window allows.

const world = usePostingWorld();
const basePost = { title: 'Budget #ai', privacyLevel: 'SELF_ONLY' as const };

describe('a post while the account’s init budget is spent', () => {
  it('is refused (429) without a creator_info call; a job is told when to try again', async () => {
    const { caller, task, account } = await world().creator();
    for (let i = 0; i < 6; i++) await takeTikTokCall(world().deps.db, account.id, 'init');

    await expect(caller.tiktok.post({ taskId: task.id, ...basePost })).rejects.toMatchObject({ appCode: 'RATE_LIMITED' });
    expect(await world().emulator.calls({ endpoint: 'creator_info.query' })).toBe(0);
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(0);

    const scheduled = await caller.tiktok.post({ taskId: task.id, ...basePost, scheduledAt: new Date(Date.now() + 60_000) });
    await world().deps.db.updateTable('tiktok_posts').set({ status: 'RESERVED' }).where('id', '=', scheduled.postId).execute();
    const creatorInfoBefore = await world().emulator.calls({ endpoint: 'creator_info.query' });
    const outcome = await publishPost(world().deps, scheduled.postId, 'job');
    expect(outcome.kind).toBe('retry_later');
    if (outcome.kind === 'retry_later') expect(outcome.afterMs).toBeGreaterThan(50_000);
    expect(await world().emulator.calls({ endpoint: 'creator_info.query' })).toBe(creatorInfoBefore);
  });
});
