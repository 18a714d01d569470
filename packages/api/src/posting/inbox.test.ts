import { signTikTokWebhook } from '@reelpost/tiktok';
import { describe, expect, it } from 'vitest';
import { usePostingWorld } from '../../test/posting-world.js';
import { FINAL_CONTRACT_STATUSES, WAITING_CONTRACT_STATUSES } from './schemas.js';
import { receiveTikTokWebhook } from './webhooks.js';
import { runStatusJob, sweepPosts } from './workers.js';

// An inbox (Upload) post is not finished at SEND_TO_USER_INBOX: the creator posts the draft later, or never
// (TikTok's Content Posting API, Upload guide; shared/tiktok-api.md, "Corrections (2026-12-05)").

const world = usePostingWorld();

const inboxPost = { title: 'Made by an agent #ai', privacyLevel: 'PUBLIC_TO_EVERYONE' as const, mode: 'inbox' as const };
const HOUR = 3_600_000;

async function postRow(taskId: string) {
  return world().deps.db.selectFrom('tiktok_posts').selectAll().where('task_id', '=', taskId).executeTakeFirstOrThrow();
}

/** An inbox post TikTok has delivered to the creator's inbox, as the status poll found it. */
async function draftInInbox() {
  const creator = await world().creator();
  const { postId, publishId } = await creator.caller.tiktok.post({ taskId: creator.task.id, ...inboxPost });
  await world().emulator.advance(60_000);
  await runStatusJob(world().deps, postId);
  return { ...creator, postId, publishId: publishId! };
}

function webhook(event: string, openId: string, content: Record<string, unknown>) {
  const rawBody = JSON.stringify({
    client_key: world().emulator.app.clientKey,
    event,
    create_time: Math.floor(Date.now() / 1000),
    user_openid: openId,
    content: JSON.stringify(content),
  });
  const signatureHeader = signTikTokWebhook({ rawBody, clientSecret: world().emulator.app.clientSecret, timestamp: Math.floor(Date.now() / 1000) });
  return receiveTikTokWebhook(world().deps, world().emulator.app, { rawBody, signatureHeader });
}

describe('an inbox draft waits for the creator', () => {
  it('is SENT_TO_INBOX, a waiting status and not a final one', () => {
    expect(FINAL_CONTRACT_STATUSES).not.toContain('SENT_TO_INBOX');
    expect(WAITING_CONTRACT_STATUSES).toEqual(['SENT_TO_INBOX']);
  });

  it('says it waits for the creator to finish it in TikTok, with what happens next', async () => {
    const { caller, task } = await draftInInbox();
    const status = await caller.tiktok.status({ taskId: task.id });
    expect(status).toMatchObject({ status: 'SENT_TO_INBOX', tiktokStatus: 'SEND_TO_USER_INBOX', failReason: null });
    expect(status.message).toMatch(/waiting for the creator to finish it in TikTok/i);
    expect(status.hint).toMatch(/PUBLISHED/);
  });

  it('is still watched, rarely: the next poll at least POSTING_POLL_MAX_MS away', async () => {
    const { task } = await draftInInbox();
    const row = await postRow(task.id);
    expect(row.status).toBe('SENT_TO_INBOX');
    expect(row.next_check_at).not.toBeNull();
    expect(row.next_check_at!.getTime() - Date.now()).toBeGreaterThanOrEqual(world().deps.settings.posting.pollMaxMs - 1000);
  });

  it('backs off to inboxPollMaxMs (hours), and stops polling after inboxWatchMs', async () => {
    const { task, postId } = await draftInInbox();
    const { inboxPollMaxMs, inboxWatchMs } = world().deps.settings.posting;
    expect(inboxPollMaxMs).toBeGreaterThanOrEqual(HOUR);
    await world().deps.db.updateTable('tiktok_posts').set({ initiated_at: new Date(Date.now() - 5 * 24 * HOUR), last_checked_at: null }).where('id', '=', postId).execute();
    await runStatusJob(world().deps, postId);
    const later = await postRow(task.id);
    expect(later.next_check_at!.getTime() - Date.now()).toBeGreaterThan(inboxPollMaxMs - 1000);
    expect(later.next_check_at!.getTime() - Date.now()).toBeLessThanOrEqual(inboxPollMaxMs + 1000);

    await world().deps.db.updateTable('tiktok_posts').set({ initiated_at: new Date(Date.now() - inboxWatchMs - HOUR), last_checked_at: null }).where('id', '=', postId).execute();
    await runStatusJob(world().deps, postId);
    expect(await postRow(task.id)).toMatchObject({ status: 'SENT_TO_INBOX', next_check_at: null });
  });

  it('is never failed by the processing deadline, by the status job or the sweep', async () => {
    const { caller, task, postId } = await draftInInbox();
    await world().deps.db.updateTable('tiktok_posts').set({ check_deadline_at: new Date(Date.now() - HOUR) }).where('id', '=', postId).execute();
    await runStatusJob(world().deps, postId);
    await sweepPosts(world().deps);
    expect(await caller.tiktok.status({ taskId: task.id })).toMatchObject({ status: 'SENT_TO_INBOX', failReason: null });
  });

  it('becomes PUBLISHED on post.publish.complete, then gets its public link on post.publish.publicly_available', async () => {
    const { caller, task, account, publishId } = await draftInInbox();
    expect(await webhook('post.publish.complete', account.open_id, { publish_id: publishId, publish_type: 'INBOX_SHARE' })).toEqual({
      accepted: true,
      outcome: 'applied',
    });
    expect(await caller.tiktok.status({ taskId: task.id })).toMatchObject({ status: 'PUBLISHED' });

    await webhook('post.publish.publicly_available', account.open_id, { publish_id: publishId, post_id: 7_000_000_000_000_000_001n.toString(), publish_type: 'INBOX_SHARE' });
    const published = await caller.tiktok.status({ taskId: task.id });
    expect(published).toMatchObject({ status: 'PUBLISHED', publicUrl: `https://www.tiktok.com/@${account.username}/video/7000000000000000001` });
    const mirrored = await world().deps.db.selectFrom('instance_tasks').selectAll().where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(mirrored).toMatchObject({ tiktok_post_status: 'PUBLISHED', tiktok_post_url: published.publicUrl });
  });

  it('becomes PUBLISHED with its public link when a poll finds the creator posted it (PUBLISH_COMPLETE), no webhook needed', async () => {
    const { caller, task, account, postId, publishId } = await draftInInbox();
    await world().emulator.publishInboxDraft(publishId, { privacyLevel: 'PUBLIC_TO_EVERYONE' });
    await world().emulator.advance(10 * 60_000);
    await world().deps.db.updateTable('tiktok_posts').set({ last_checked_at: null }).where('id', '=', postId).execute();
    await runStatusJob(world().deps, postId);
    const status = await caller.tiktok.status({ taskId: task.id });
    expect(status).toMatchObject({ status: 'PUBLISHED', tiktokStatus: 'PUBLISH_COMPLETE', hint: null });
    expect(status.publicUrl).toMatch(new RegExp(`^https://www\\.tiktok\\.com/@${account.username}/video/\\d+$`));
  });

  it('stays SENT_TO_INBOX, still waiting, when the creator discards the draft (TikTok reports nothing)', async () => {
    const { caller, task, postId, publishId } = await draftInInbox();
    await world().emulator.dropInboxDraft(publishId);
    await world().deps.db.updateTable('tiktok_posts').set({ last_checked_at: null }).where('id', '=', postId).execute();
    await runStatusJob(world().deps, postId);
    expect(await caller.tiktok.status({ taskId: task.id })).toMatchObject({ status: 'SENT_TO_INBOX' });
  });

  it('is not moved back to PROCESSING by a late or out-of-order report', async () => {
    const { task, account, publishId } = await draftInInbox();
    await webhook('post.publish.inbox_delivered', account.open_id, { publish_id: publishId, publish_type: 'INBOX_SHARE' });
    expect((await postRow(task.id)).status).toBe('SENT_TO_INBOX');
  });
});
