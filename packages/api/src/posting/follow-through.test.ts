import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signTikTokWebhook } from '@reelpost/tiktok';
import { afterEach, describe, expect, it } from 'vitest';
import { usePostingWorld } from '../../test/posting-world.js';
import { getAccessToken } from '../accounts/access-token.js';
import { receiveTikTokWebhook, type WebhookResult } from './webhooks.js';
import { runStatusJob } from './workers.js';

const world = usePostingWorld({ emulator: { webhooks: { duplicates: 1, retryBaseMs: 100 } } });

const basePost = { title: 'Made by an agent #ai', privacyLevel: 'PUBLIC_TO_EVERYONE' as const };

/** Our webhook endpoint as the server mounts it: the raw body and signature header into receiveTikTokWebhook. */
async function startWebhookEndpoint(): Promise<{ url: string; results: WebhookResult[]; server: Server }> {
  const results: WebhookResult[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      void receiveTikTokWebhook(world().deps, world().emulator.app, {
        rawBody,
        signatureHeader: req.headers['tiktok-signature'] as string | undefined,
      }).then((result) => {
        results.push(result);
        res.writeHead(result.accepted ? 200 : 401).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/tiktok`, results, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function withWebhooks() {
  const endpoint = await startWebhookEndpoint();
  servers.push(endpoint.server);
  await world().emulator.configureApp({ webhookUrl: endpoint.url });
  return endpoint;
}

function eventBody(event: string, openId: string, content: Record<string, unknown>) {
  return JSON.stringify({
    client_key: world().emulator.app.clientKey,
    event,
    create_time: Math.floor(Date.now() / 1000),
    user_openid: openId,
    content: JSON.stringify(content),
  });
}

function signed(rawBody: string, secret = world().emulator.app.clientSecret, timestamp = Math.floor(Date.now() / 1000)) {
  return { rawBody, signatureHeader: signTikTokWebhook({ rawBody, clientSecret: secret, timestamp }) };
}

async function postRow(taskId: string) {
  return world().deps.db.selectFrom('tiktok_posts').selectAll().where('task_id', '=', taskId).executeTakeFirstOrThrow();
}

describe('following a post to the end', () => {
  it('webhooks alone carry a public post to PUBLISHED with its video URL, duplicates applied once', async () => {
    const endpoint = await withWebhooks();
    const { caller, task, account } = await world().creator();
    const { publishId } = await caller.tiktok.post({ taskId: task.id, ...basePost });
    await world().emulator.advance(120_000);
    await world().emulator.settle();

    const row = await postRow(task.id);
    expect(row).toMatchObject({ status: 'PUBLISHED', public_post_ids: [expect.any(String)] });
    expect(row.public_url).toBe(`https://www.tiktok.com/@${account.username}/video/${row.public_post_ids[0]}`);
    expect(endpoint.results.filter((result) => result.accepted && result.outcome === 'duplicate').length).toBeGreaterThan(0);
    const events = await world().deps.db.selectFrom('tiktok_webhook_events').selectAll().where('publish_id', '=', publishId).execute();
    expect(new Set(events.map((event) => event.event))).toEqual(new Set(['post.publish.complete', 'post.publish.publicly_available']));
  });

  it('polling and webhooks together agree: one PUBLISHED post, the right URL', async () => {
    await withWebhooks();
    const { caller, task, account } = await world().creator();
    const { postId } = await caller.tiktok.post({ taskId: task.id, ...basePost });
    await world().emulator.advance(5_000);
    await runStatusJob(world().deps, postId);
    await world().emulator.advance(120_000);
    await world().emulator.settle();
    await runStatusJob(world().deps, postId);

    const status = await caller.tiktok.status({ taskId: task.id });
    expect(status.status).toBe('PUBLISHED');
    expect(status.publicUrl).toMatch(new RegExp(`/@${account.username}/video/\\d+$`));
  });

  it('the poller alone gets there, then stops asking', async () => {
    const { caller, task } = await world().creator();
    const { postId } = await caller.tiktok.post({ taskId: task.id, ...basePost, privacyLevel: 'SELF_ONLY' });
    await world().emulator.advance(60_000);
    await runStatusJob(world().deps, postId);

    expect(await postRow(task.id)).toMatchObject({ status: 'PUBLISHED', next_check_at: null });
    const calls = await world().emulator.calls({ endpoint: 'status.fetch' });
    await runStatusJob(world().deps, postId);
    expect(await world().emulator.calls({ endpoint: 'status.fetch' })).toBe(calls);
  });

  it('gives up on processing past the deadline with a clear final state', async () => {
    const { caller, task } = await world().creator();
    const { postId } = await caller.tiktok.post({ taskId: task.id, ...basePost });
    await world().deps.db.updateTable('tiktok_posts').set({ check_deadline_at: new Date(Date.now() - 1000) }).where('id', '=', postId).execute();
    await runStatusJob(world().deps, postId);
    expect(await caller.tiktok.status({ taskId: task.id })).toMatchObject({ status: 'FAILED', failReason: 'processing_timeout' });
  });
});

describe('the webhook receiver', () => {
  it('refuses a delivery signed with another secret, and changes nothing', async () => {
    const { caller, task, account } = await world().creator();
    const { publishId } = await caller.tiktok.post({ taskId: task.id, ...basePost });
    const body = eventBody('post.publish.failed', account.open_id, { publish_id: publishId, reason: 'spam_risk' });
    expect(await receiveTikTokWebhook(world().deps, world().emulator.app, signed(body, 'not-the-secret'))).toEqual({
      accepted: false,
      reason: 'signature_mismatch',
    });
    expect((await postRow(task.id)).status).toBe('PROCESSING');
  });

  it('refuses a stale delivery (a replay from long ago)', async () => {
    const { caller, task, account } = await world().creator();
    const { publishId } = await caller.tiktok.post({ taskId: task.id, ...basePost });
    const body = eventBody('post.publish.complete', account.open_id, { publish_id: publishId });
    const result = await receiveTikTokWebhook(world().deps, world().emulator.app, signed(body, undefined, Math.floor(Date.now() / 1000) - 3600));
    expect(result).toMatchObject({ accepted: false });
    expect((await postRow(task.id)).status).toBe('PROCESSING');
  });

  it('refuses a tampered body', async () => {
    const { caller, task, account } = await world().creator();
    const { publishId } = await caller.tiktok.post({ taskId: task.id, ...basePost });
    const delivery = signed(eventBody('post.publish.complete', account.open_id, { publish_id: publishId }));
    const tampered = { ...delivery, rawBody: delivery.rawBody.replace('complete', 'failed') };
    expect(await receiveTikTokWebhook(world().deps, world().emulator.app, tampered)).toMatchObject({ accepted: false });
  });

  it('applies a repeated delivery once', async () => {
    const { caller, task, account } = await world().creator();
    const { publishId } = await caller.tiktok.post({ taskId: task.id, ...basePost, privacyLevel: 'SELF_ONLY' });
    const delivery = signed(eventBody('post.publish.complete', account.open_id, { publish_id: publishId }));
    expect(await receiveTikTokWebhook(world().deps, world().emulator.app, delivery)).toEqual({ accepted: true, outcome: 'applied' });
    const after = await postRow(task.id);
    expect(await receiveTikTokWebhook(world().deps, world().emulator.app, delivery)).toEqual({ accepted: true, outcome: 'duplicate' });
    expect(await postRow(task.id)).toEqual(after);
  });

  it('never moves a published post back: a late failure is recorded but changes nothing', async () => {
    const { caller, task, account } = await world().creator();
    const { publishId } = await caller.tiktok.post({ taskId: task.id, ...basePost, privacyLevel: 'SELF_ONLY' });
    await receiveTikTokWebhook(world().deps, world().emulator.app, signed(eventBody('post.publish.complete', account.open_id, { publish_id: publishId })));
    await receiveTikTokWebhook(
      world().deps,
      world().emulator.app,
      signed(eventBody('post.publish.failed', account.open_id, { publish_id: publishId, reason: 'internal' })),
    );
    expect((await postRow(task.id)).status).toBe('PUBLISHED');
  });

  it('marks the account needs_reauth on authorization.removed', async () => {
    const { task, account } = await world().creator();
    const result = await receiveTikTokWebhook(world().deps, world().emulator.app, signed(eventBody('authorization.removed', account.open_id, { reason: 1 })));
    expect(result).toEqual({ accepted: true, outcome: 'applied' });
    const row = await world().deps.db.selectFrom('instance_tiktok_credentials').select('state').where('id', '=', account.id).executeTakeFirstOrThrow();
    expect(row.state).toBe('needs_reauth');
    expect(task).toBeDefined();
  });

  it('settles an unknown outcome when TikTok reports the publish after all', async () => {
    await withWebhooks();
    const { caller, task } = await world().creator();
    await world().emulator.failNext('video.init', 'drop-after-commit');
    await expect(caller.tiktok.post({ taskId: task.id, ...basePost })).rejects.toMatchObject({ appCode: 'POST_OUTCOME_UNKNOWN' });

    await world().emulator.advance(120_000);
    await world().emulator.settle();
    const status = await caller.tiktok.status({ taskId: task.id });
    expect(status).toMatchObject({ status: 'PUBLISHED', outcomeUnknown: false, publishId: expect.any(String) as string });
    expect(await world().emulator.calls({ endpoint: 'video.init' })).toBe(1);
  });

  it('picks up the publish of an init whose process died before recording it, before any sweep', async () => {
    await withWebhooks();
    const { caller, task, user } = await world().creator();
    const { deps } = world();
    const [account] = await caller.tiktok.accounts();
    // The state a worker leaves when it is killed right after sending the init: initiated, no publish_id yet.
    await deps.db
      .insertInto('tiktok_posts')
      .values({
        task_id: task.id,
        account_id: account!.id,
        requested_by: user.id,
        idempotency_key: 'killed-after-init',
        request_fingerprint: 'x',
        mode: 'direct',
        status: 'RESERVED',
        post_info: JSON.stringify({ title: 'killed', privacyLevel: 'SELF_ONLY' }),
        video_url: world().videoUrl('sample'),
        privacy_level: 'SELF_ONLY',
        initiated_at: new Date(),
        lease_until: new Date(Date.now() + 60_000),
      })
      .execute();
    // The init it sent did reach TikTok.
    const { accessToken } = await getAccessToken(deps, account!.id);
    const { publishId } = await deps.tiktok.initDirectPost(accessToken, {
      postInfo: { title: 'killed', privacyLevel: 'SELF_ONLY' },
      source: { source: 'PULL_FROM_URL', videoUrl: world().videoUrl('sample') },
    });

    await world().emulator.settle();
    await world().emulator.advance(120_000);
    await world().emulator.settle();
    expect(await postRow(task.id)).toMatchObject({ status: 'PUBLISHED', publish_id: publishId });
  });
});

