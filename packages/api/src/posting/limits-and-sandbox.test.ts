import { describe, expect, it } from 'vitest';
import { usePostingWorld } from '../../test/posting-world.js';

const sandbox = usePostingWorld({
  settings: (settings) => {
    settings.tiktok.sandboxMode = true;
  },
});

const basePost = { title: 'Limits #ai', privacyLevel: 'PUBLIC_TO_EVERYONE' as const };

describe('in sandbox mode (an unaudited TikTok app)', () => {
  it('sends every post as SELF_ONLY and says so', async () => {
    const { caller, task } = await sandbox().creator();
    const status = await caller.tiktok.post({ taskId: task.id, ...basePost });
    expect(status).toMatchObject({ privacyLevel: 'SELF_ONLY', sandboxForcedPrivate: true });
    expect(status.message).toContain('sandbox');
    const [publish] = await sandbox().emulator.publishes();
    expect(publish).toMatchObject({ postInfo: { privacy_level: 'SELF_ONLY' } });
  });

  it('asks TikTok about a post at most 30 times a minute per account, however often it is asked', async () => {
    const { caller, task } = await sandbox().creator();
    await caller.tiktok.post({ taskId: task.id, ...basePost });
    for (let i = 0; i < 60; i++) {
      const status = await caller.tiktok.status({ taskId: task.id });
      expect(status.status).toBe('PROCESSING');
    }
    expect(await sandbox().emulator.calls({ endpoint: 'status.fetch' })).toBe(30);
  });

  it('coalesces concurrent status requests into one call to TikTok', async () => {
    const { caller, task, account } = await sandbox().creator();
    await caller.tiktok.post({ taskId: task.id, ...basePost });
    sandbox().deps.settings.posting.minStatusIntervalMs = 3_000;
    await Promise.all(Array.from({ length: 20 }, () => caller.tiktok.status({ taskId: task.id, accountId: account.id })));
    expect(await sandbox().emulator.calls({ endpoint: 'status.fetch' })).toBe(1);
  });
});
