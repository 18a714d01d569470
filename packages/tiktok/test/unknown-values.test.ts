import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTikTokClient, describeTikTokError, parseTikTokWebhookEvent } from '../src/index.js';

const REDIRECT_URI = 'http://127.0.0.1:3001/auth/tiktok/callback';

// Values TikTok adds later are kept and flagged, never turned into bad_response. A tiny HTTP server plays TikTok
// answering a status the client does not know yet (the emulator only sends documented ones).

let url = '';
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"data":{"status":"PROCESSING_MODERATION","uploaded_bytes":10},"error":{"code":"ok","message":"","log_id":"2026L"}}');
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('values TikTok may add later', () => {
  it('keeps an unknown post status as its raw string, flagged unrecognised and not final', async () => {
    const client = createTikTokClient({ clientKey: 'k', clientSecret: 's', redirectUri: REDIRECT_URI, apiBaseUrl: url });
    await expect(client.fetchPostStatus('act.token', 'v_pub_url~1')).resolves.toMatchObject({
      status: 'PROCESSING_MODERATION',
      recognised: false,
      isFinal: false,
      uploadedBytes: 10,
      logId: '2026L',
    });
  });

  it('keeps an unknown webhook event with its content', () => {
    const event = parseTikTokWebhookEvent(
      JSON.stringify({ client_key: 'k', event: 'post.publish.something_new', create_time: 1, user_openid: 'o', content: '{"publish_id":"p","extra":1}' }),
    );
    expect(event).toMatchObject({ event: 'unknown', rawEvent: 'post.publish.something_new', content: { publish_id: 'p', extra: 1 } });
  });

  it.each(['spam_risk_text', 'spam_risk'])('says not to retry %s, and does not retry it', (code) => {
    const description = describeTikTokError(code);
    expect(description).toMatchObject({ known: true, retryable: false });
    expect(description.hint).toMatch(/^Do not retry/);
  });
});
