import { describe, expect, it } from 'vitest';
import { usePostingWorld } from '../../test/posting-world.js';
import { runUploadJob } from './workers.js';

// TikTok has not verified our video host here, so PULL_FROM_URL is refused with url_ownership_unverified.
const world = usePostingWorld({ verifyHost: false });

const basePost = { title: 'Uploaded in chunks #ai', privacyLevel: 'SELF_ONLY' as const };

describe('when TikTok will not pull from the video’s URL', () => {
  it('falls back to FILE_UPLOAD: a second init, the video streamed in chunks, then published', async () => {
    const { caller, task } = await world().creator();
    const posted = await caller.tiktok.post({ taskId: task.id, ...basePost });
    expect(posted.status).toBe('PROCESSING');
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(2);

    await runUploadJob(world().deps, posted.postId);
    expect(await world().emulator.calls({ endpoint: 'upload' })).toBeGreaterThan(0);
    await world().emulator.advance(60_000);
    const status = await caller.tiktok.status({ taskId: task.id });
    expect(status).toMatchObject({ status: 'PUBLISHED', uploadedBytes: expect.any(Number) as number });

    const row = await world().deps.db.selectFrom('tiktok_posts').selectAll().where('id', '=', posted.postId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ source: 'FILE_UPLOAD', upload_url_encrypted: null });
    expect(row.upload_completed_at).not.toBeNull();
  });

  it('uploads only once even when the upload job runs twice', async () => {
    const { caller, task } = await world().creator();
    const { postId } = await caller.tiktok.post({ taskId: task.id, ...basePost });
    await runUploadJob(world().deps, postId);
    const uploads = await world().emulator.calls({ endpoint: 'upload' });
    await runUploadJob(world().deps, postId);
    expect(await world().emulator.calls({ endpoint: 'upload' })).toBe(uploads);
  });

  it('keeps the upload URL sealed at rest', async () => {
    const { caller, task } = await world().creator();
    const { postId } = await caller.tiktok.post({ taskId: task.id, ...basePost });
    const row = await world().deps.db.selectFrom('tiktok_posts').select('upload_url_encrypted').where('id', '=', postId).executeTakeFirstOrThrow();
    expect(row.upload_url_encrypted).toMatch(/^gAAAAA/);
    expect(world().deps.tokens.decrypt(row.upload_url_encrypted!)).toContain(world().emulator.url);
  });
});
