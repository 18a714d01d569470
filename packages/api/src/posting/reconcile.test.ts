import { describe, expect, it } from 'vitest';
import { usePostingWorld } from '../../test/posting-world.js';
import { runStatusJob } from './workers.js';

// TikTok's status/fetch refuses a publish_id it does not know (`invalid_publish_id`, 400) and one of another user
// (`token_not_authorized_for_specified_publish_id`, 400) — Get Post Status reference; shared/tiktok-api.md,
// "Corrections (2026-12-05)". Telling them apart settles a post whose fate polling alone cannot learn.

const world = usePostingWorld();

const basePost = { title: 'Made by an agent #ai', privacyLevel: 'SELF_ONLY' as const };
const MINUTE = 60_000;

async function postRow(postId: string) {
  return world().deps.db.selectFrom('tiktok_posts').selectAll().where('id', '=', postId).executeTakeFirstOrThrow();
}

/** A processing post whose publish_id TikTok never issued, its init sent `sentAgoMs` ago. */
async function postTikTokNeverReceived(sentAgoMs: number) {
  const { caller, task } = await world().creator();
  const { postId } = await caller.tiktok.post({ taskId: task.id, ...basePost });
  await world()
    .deps.db.updateTable('tiktok_posts')
    .set({ publish_id: 'v_pub_url~v2-1.0000000000000000000', initiated_at: new Date(Date.now() - sentAgoMs) })
    .where('id', '=', postId)
    .execute();
  return { caller, task, postId };
}

describe('a publish_id TikTok does not know (invalid_publish_id)', () => {
  it('after the init’s window: the init never reached TikTok — FAILED, said plainly, safe to post again', async () => {
    const { caller, task, postId } = await postTikTokNeverReceived(world().deps.settings.posting.publishIdGraceMs + MINUTE);
    await runStatusJob(world().deps, postId);

    expect(await postRow(postId)).toMatchObject({ status: 'FAILED', fail_reason: 'not_received_by_tiktok', error_code: 'invalid_publish_id', next_check_at: null });
    const status = await caller.tiktok.status({ taskId: task.id });
    expect(status).toMatchObject({ status: 'FAILED', failReason: 'not_received_by_tiktok', outcomeUnknown: false });
    expect(status.message).toMatch(/never reached TikTok/);
    expect(status.hint).toMatch(/safe/);

    const again = await caller.tiktok.post({ taskId: task.id, ...basePost });
    expect(again).toMatchObject({ status: 'PROCESSING', postId });
  });

  it('within the window: not yet known — the post stays PROCESSING and is asked again', async () => {
    const { postId } = await postTikTokNeverReceived(1_000);
    await runStatusJob(world().deps, postId);
    expect(await postRow(postId)).toMatchObject({ status: 'PROCESSING', next_check_at: expect.any(Date) as Date });
  });
});

describe('a publish_id of another TikTok user (token_not_authorized_for_specified_publish_id)', () => {
  it('is an unknown outcome with its own hint: the post was sent as another user', async () => {
    // A publish of another TikTok user, not recorded anywhere of ours.
    const other = await world().emulator.addUser({ openId: '-000someone-else', username: 'someone.else', displayName: 'Someone Else' });
    const issued = await world().emulator.issueTokens(other.username);
    const { publishId } = await world().deps.tiktok.initDirectPost(issued.access_token, {
      postInfo: { title: 'theirs', privacyLevel: 'SELF_ONLY' },
      source: { source: 'PULL_FROM_URL', videoUrl: world().videoUrl('sample') },
    });
    const second = await world().creator();
    const { postId } = await second.caller.tiktok.post({ taskId: second.task.id, ...basePost });
    // As if our post had been sent as that other user (an account reconnected as someone else).
    await world().deps.db.updateTable('tiktok_posts').set({ publish_id: publishId }).where('id', '=', postId).execute();

    await runStatusJob(world().deps, postId);
    expect(await postRow(postId)).toMatchObject({ status: 'UNKNOWN', fail_reason: 'status_not_authorized', next_check_at: null });
    const status = await second.caller.tiktok.status({ taskId: second.task.id });
    expect(status).toMatchObject({ status: 'FAILED', outcomeUnknown: true, failReason: 'status_not_authorized' });
    expect(status.hint).toMatch(/reconnected as a different TikTok user/);
  });
});
