import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createInMemoryReplayGuard,
  parseTikTokWebhookEvent,
  signTikTokWebhook,
  TikTokWebhookError,
  verifyTikTokWebhook,
  type TikTokWebhookEvent,
} from '@reelpost/tiktok';
import { rejectionOf, startWebhookReceiver, useEmulator, type WebhookReceiver } from './support.js';

const SECRET = 'emulator-client-secret';
const NOW_MS = Date.UTC(2026, 0, 1, 12);
const NOW_S = NOW_MS / 1000;

function event(name: string, content: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ client_key: 'ck', event: name, create_time: NOW_S, user_openid: 'open-1', content, ...extra });
}

const COMPLETE = event('post.publish.complete', '{"publish_id":"v_pub_url~1","publish_type":"DIRECT_PUBLISH"}');

function verify(rawBody: string | Uint8Array, signatureHeader: string | undefined, overrides: Partial<Parameters<typeof verifyTikTokWebhook>[0]> = {}) {
  return verifyTikTokWebhook({ rawBody, signatureHeader, clientSecret: SECRET, now: NOW_MS, ...overrides });
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof TikTokWebhookError ? error.code : 'not a TikTokWebhookError';
  }
  return undefined;
}

describe('webhook signatures', () => {
  const signature = signTikTokWebhook({ rawBody: COMPLETE, clientSecret: SECRET, timestamp: NOW_S });

  it('signs as TikTok does: t=<seconds>,s=HMAC-SHA256(secret, "t.body") in hex', () => {
    expect(signature).toMatch(new RegExp(`^t=${NOW_S},s=[0-9a-f]{64}$`));
  });

  it('accepts a correctly signed, fresh delivery and parses its event', () => {
    expect(verify(COMPLETE, signature)).toEqual({
      event: 'post.publish.complete',
      clientKey: 'ck',
      userOpenId: 'open-1',
      createTime: NOW_S,
      content: { publishId: 'v_pub_url~1', publishType: 'DIRECT_PUBLISH' },
    });
  });

  it('accepts the raw body as bytes', () => {
    expect(verify(Buffer.from(COMPLETE), signature).event).toBe('post.publish.complete');
  });

  it('rejects a signature made with another secret', () => {
    const forged = signTikTokWebhook({ rawBody: COMPLETE, clientSecret: 'someone-else', timestamp: NOW_S });
    expect(codeOf(() => verify(COMPLETE, forged))).toBe('signature_mismatch');
  });

  it('rejects a tampered body', () => {
    expect(codeOf(() => verify(COMPLETE.replace('v_pub_url~1', 'v_pub_url~2'), signature))).toBe('signature_mismatch');
  });

  it('rejects a timestamp changed after signing', () => {
    expect(codeOf(() => verify(COMPLETE, signature.replace(`t=${NOW_S}`, `t=${NOW_S + 1}`)))).toBe('signature_mismatch');
  });

  it('rejects a delivery signed more than five minutes ago', () => {
    const stale = signTikTokWebhook({ rawBody: COMPLETE, clientSecret: SECRET, timestamp: NOW_S - 301 });
    expect(codeOf(() => verify(COMPLETE, stale))).toBe('timestamp_out_of_tolerance');
    const recent = signTikTokWebhook({ rawBody: COMPLETE, clientSecret: SECRET, timestamp: NOW_S - 299 });
    expect(codeOf(() => verify(COMPLETE, recent))).toBeUndefined();
  });

  it('rejects a delivery signed in the future beyond the tolerance', () => {
    const future = signTikTokWebhook({ rawBody: COMPLETE, clientSecret: SECRET, timestamp: NOW_S + 600 });
    expect(codeOf(() => verify(COMPLETE, future))).toBe('timestamp_out_of_tolerance');
    expect(codeOf(() => verify(COMPLETE, future, { toleranceSeconds: 900 }))).toBeUndefined();
  });

  it('rejects a replay of a delivery already received, when given a replay guard', () => {
    const replayGuard = createInMemoryReplayGuard(() => NOW_MS);
    expect(codeOf(() => verify(COMPLETE, signature, { replayGuard }))).toBeUndefined();
    expect(codeOf(() => verify(COMPLETE, signature, { replayGuard }))).toBe('replayed');
  });

  it('forgets remembered signatures once they could no longer pass the tolerance check', () => {
    let now = NOW_MS;
    const replayGuard = createInMemoryReplayGuard(() => now);
    expect(replayGuard.seenBefore('a', NOW_MS + 1000)).toBe(false);
    now += 2000;
    expect(replayGuard.seenBefore('a', now + 1000)).toBe(false);
  });

  it.each([
    ['a missing header', undefined, 'signature_missing'],
    ['an empty header', '  ', 'signature_missing'],
    ['a header without s', `t=${NOW_S}`, 'signature_malformed'],
    ['a header without t', `s=${'a'.repeat(64)}`, 'signature_malformed'],
    ['a signature that is not hex', `t=${NOW_S},s=${'z'.repeat(64)}`, 'signature_malformed'],
  ])('rejects %s', (_name, header, code) => {
    expect(codeOf(() => verify(COMPLETE, header))).toBe(code);
  });

  it('explains each rejection with a hint', () => {
    const error = new TikTokWebhookError('signature_mismatch');
    expect(error.hint).toContain('raw body');
  });
});

describe('webhook events', () => {
  const parse = (name: string, content: string) => parseTikTokWebhookEvent(event(name, content));

  it.each<[string, string, Partial<TikTokWebhookEvent>]>([
    ['post.publish.failed', '{"publish_id":"p","reason":"spam_risk_text","publish_type":"DIRECT_PUBLISH"}', { content: { publishId: 'p', reason: 'spam_risk_text', publishType: 'DIRECT_PUBLISH' } }],
    ['post.publish.inbox_delivered', '{"publish_id":"p","publish_type":"INBOX_SHARE"}', { content: { publishId: 'p', publishType: 'INBOX_SHARE' } }],
    ['post.publish.publicly_available', '{"publish_id":"p","post_id":7234567890123456789,"publish_type":"DIRECT_PUBLISH"}', { content: { publishId: 'p', postId: '7234567890123456789', publishType: 'DIRECT_PUBLISH' } }],
    ['post.publish.no_longer_publicaly_available', '{"publish_id":"p","post_id":"7234567890123456789"}', { content: { publishId: 'p', postId: '7234567890123456789' } }],
    ['video.upload.failed', '{"publish_id":"p","reason":"file_format_check_failed"}', { content: { publishId: 'p', reason: 'file_format_check_failed' } }],
    ['authorization.removed', '{"reason":1}', { content: { reason: 1 } }],
  ])('parses %s with its content', (name, content, expected) => {
    expect(parse(name, content)).toMatchObject({ event: name, ...expected });
  });

  it('keeps an event it does not know, so it can be acknowledged', () => {
    expect(parse('portability.download.ready', '{"x":1}')).toMatchObject({ event: 'unknown', rawEvent: 'portability.download.ready', content: { x: 1 } });
  });

  it.each([
    ['a body that is not JSON', 'nope'],
    ['an envelope without content', JSON.stringify({ client_key: 'ck', event: 'post.publish.complete', create_time: 1, user_openid: 'o' })],
    ['content that is not a JSON string', event('post.publish.complete', '{publish_id')],
    ['content missing its publish_id', event('post.publish.complete', '{}')],
  ])('rejects %s as payload_invalid', (_name, body) => {
    expect(codeOf(() => parseTikTokWebhookEvent(body))).toBe('payload_invalid');
  });
});

describe('webhook delivery by the emulator', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(() => receiver.stop());
  const harness = useEmulator();

  async function publishWithWebhooks(options: { duplicates?: boolean } = {}) {
    const h = harness();
    receiver.received.length = 0;
    await h.emulator.configureApp({ webhookUrl: receiver.url });
    const tokens = await h.connect();
    const { publishId } = await h.client.initDirectPost(tokens.accessToken, {
      postInfo: { title: 'hooked', privacyLevel: 'PUBLIC_TO_EVERYONE' },
      source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf(options.duplicates ? 'sample' : 'sample') },
    });
    return { h, tokens, publishId };
  }

  const verifyReceived = async (h: ReturnType<typeof harness>) => {
    const now = await h.emulator.now();
    return receiver.received.map((delivery) =>
      verifyTikTokWebhook({ rawBody: delivery.body, signatureHeader: delivery.headers['tiktok-signature'] as string, clientSecret: SECRET, now }),
    );
  };

  it('delivers signed post.publish.complete and then post.publish.publicly_available', async () => {
    const { h, publishId, tokens } = await publishWithWebhooks();
    await h.emulator.settle();
    await h.emulator.advance(60_000);

    const events = await verifyReceived(h);
    expect(events.map((e) => e.event)).toEqual(['post.publish.complete', 'post.publish.publicly_available']);
    expect(events[1]).toMatchObject({ userOpenId: tokens.openId, content: { publishId, publishType: 'DIRECT_PUBLISH' } });
    const { publiclyAvailablePostIds } = await h.client.fetchPostStatus(tokens.accessToken, publishId);
    expect(events[1]!.content).toMatchObject({ postId: publiclyAvailablePostIds[0] });
  });

  it('delivers post.publish.failed with the reason', async () => {
    const h = harness();
    receiver.received.length = 0;
    await h.emulator.configureApp({ webhookUrl: receiver.url });
    const tokens = await h.connect();
    await h.client.initInboxUpload(tokens.accessToken, { source: { source: 'PULL_FROM_URL', videoUrl: h.videos.urlOf('tiny') } });
    await h.emulator.settle();
    await h.emulator.advance(10_000);
    const [failed, uploadFailed] = await verifyReceived(h);
    expect(failed).toMatchObject({ event: 'post.publish.failed', content: { reason: 'picture_size_check_failed', publishType: 'INBOX_SHARE' } });
    // A failed draft is also a failed upload, named by share_id as on the Webhook Events page; the parser keeps it.
    expect(uploadFailed).toMatchObject({ event: 'video.upload.failed', content: { shareId: failed?.event === 'post.publish.failed' ? failed.content.publishId : '' } });
  });

  it('retries a delivery the callback did not answer with 200, with exponential backoff', async () => {
    const { h } = await publishWithWebhooks();
    receiver.answerWith(500, 503);
    await h.emulator.settle();
    await h.emulator.advance(5_000);
    expect(receiver.received).toHaveLength(2);
    await h.emulator.advance(2_000);

    const [delivery] = await h.emulator.webhookDeliveries();
    expect(delivery).toMatchObject({ event: 'post.publish.complete', state: 'delivered', attempts: 3, lastStatus: 200 });
    // Each attempt is signed afresh.
    expect(new Set(receiver.received.map((r) => r.headers['tiktok-signature'])).size).toBe(3);
  });

  it('gives up after the configured number of attempts', async () => {
    const { h } = await publishWithWebhooks();
    receiver.answerWith(...Array<number>(100).fill(500));
    await h.emulator.settle();
    for (let n = 0; n < 8; n += 1) await h.emulator.advance(60_000);
    const [delivery] = await h.emulator.webhookDeliveries();
    expect(delivery).toMatchObject({ state: 'failed', attempts: 6, lastStatus: 500 });
    receiver.answerWith();
  });

  it('notes a callback that cannot be reached', async () => {
    const h = harness();
    await h.emulator.configureApp({ webhookUrl: 'http://127.0.0.1:1/unreachable' });
    const tokens = await h.connect();
    await h.emulator.revokeAuthorization(tokens.openId);
    const [delivery] = await h.emulator.webhookDeliveries();
    expect(delivery).toMatchObject({ event: 'authorization.removed', state: 'pending', attempts: 1, lastStatus: undefined });
    expect(delivery!.lastError).toBeTruthy();
  });

  it('sends authorization.removed when the person removes the app', async () => {
    const h = harness();
    receiver.received.length = 0;
    await h.emulator.configureApp({ webhookUrl: receiver.url });
    const tokens = await h.connect();
    await h.emulator.revokeAuthorization(tokens.openId, 1);
    expect(await verifyReceived(h)).toMatchObject([{ event: 'authorization.removed', userOpenId: tokens.openId, content: { reason: 1 } }]);
  });

  it('sends deliberate duplicates, each signed at its own time, when configured', async () => {
    const { startTikTokEmulator } = await import('../src/index.js');
    const emulator = await startTikTokEmulator({ clock: 'manual', webhooks: { duplicates: 1 }, app: { webhookUrl: receiver.url } });
    try {
      receiver.received.length = 0;
      const tokens = await emulator.issueTokens('reelpost.creator');
      await emulator.revokeAuthorization(tokens.open_id);
      await emulator.advance(1_000);
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[0]!.body).toBe(receiver.received[1]!.body);
      expect(receiver.received[0]!.headers['tiktok-signature']).not.toBe(receiver.received[1]!.headers['tiktok-signature']);
      expect((await emulator.webhookDeliveries()).map((d) => d.duplicate)).toEqual([false, true]);
    } finally {
      await emulator.stop();
    }
  });

  it('duplicates the next event when told, and only that one', async () => {
    const h = harness();
    await h.emulator.configureApp({ webhookUrl: receiver.url });
    receiver.received.length = 0;
    const first = await h.connect();
    await h.emulator.failNextWebhook({ kind: 'duplicate', copies: 2 });
    await h.emulator.revokeAuthorization(first.openId, 1);
    await h.emulator.revokeAuthorization((await h.connect()).openId, 2);
    await h.emulator.advance(10_000);
    const deliveries = await h.emulator.webhookDeliveries();
    const reasonOf = (body: string) => (JSON.parse((JSON.parse(body) as { content: string }).content) as { reason: number }).reason;
    expect(deliveries.map((d) => [reasonOf(d.body), d.duplicate, d.state])).toEqual([
      [1, false, 'delivered'],
      [1, true, 'delivered'],
      [1, true, 'delivered'],
      [2, false, 'delivered'],
    ]);
  });

  it('holds the next event back when told to deliver it late', async () => {
    const h = harness();
    await h.emulator.configureApp({ webhookUrl: receiver.url });
    receiver.received.length = 0;
    const tokens = await h.connect();
    await h.emulator.failNextWebhook({ kind: 'late', delayMs: 30_000 });
    await h.emulator.revokeAuthorization(tokens.openId, 1);
    await h.emulator.advance(29_000);
    expect(receiver.received).toHaveLength(0);
    await h.emulator.advance(1_000);
    await h.emulator.settle();
    expect(await verifyReceived(h)).toMatchObject([{ event: 'authorization.removed', content: { reason: 1 } }]);
  });

  it('sends nothing when no callback is configured', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.revokeAuthorization(tokens.openId);
    expect(await h.emulator.webhookDeliveries()).toEqual([]);
  });

  it('refuses a delivery signed with the emulator secret when the app expects another', async () => {
    const { h } = await publishWithWebhooks();
    await h.emulator.settle();
    await h.emulator.advance(5_000);
    const [delivery] = receiver.received;
    const error = await rejectionOf(
      Promise.resolve().then(() =>
        verifyTikTokWebhook({ rawBody: delivery!.body, signatureHeader: delivery!.headers['tiktok-signature'] as string, clientSecret: 'other', now: NOW_MS }),
      ),
    );
    expect(error).toMatchObject({ code: 'signature_mismatch' });
  });
});
