import { describe, expect, it } from 'vitest';
import { usePostingWorld } from '../../test/posting-world.js';

// TikTok's Content Sharing Guidelines: comment, duet and stitch are not checked by default; the person turns each on.
// So tiktok.post sends them disabled unless the caller allows them.

const world = usePostingWorld();

const basePost = { title: 'Made by an agent #ai', privacyLevel: 'SELF_ONLY' as const };

describe('interactions are off unless asked for', () => {
  it('a post that says nothing about them reaches TikTok with comment, duet and stitch disabled', async () => {
    const { caller, task } = await world().creator();
    await caller.tiktok.post({ taskId: task.id, ...basePost });
    const [publish] = await world().emulator.publishes();
    expect(publish?.postInfo).toMatchObject({ disable_comment: true, disable_duet: true, disable_stitch: true });
  });

  it('the caller allows one by setting it false; the others stay off', async () => {
    const { caller, task } = await world().creator();
    await caller.tiktok.post({ taskId: task.id, ...basePost, disableComment: false });
    const [publish] = await world().emulator.publishes();
    expect(publish?.postInfo).toMatchObject({ disable_comment: false, disable_duet: true, disable_stitch: true });
  });
});
