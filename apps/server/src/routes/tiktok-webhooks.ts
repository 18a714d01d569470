import { type AppDeps, receiveTikTokWebhook, recordWebhookDelivery } from '@reelpost/api';
import type { Hono } from 'hono';
import type { AppEnv } from '../app.js';
import type { Logger } from '../logger.js';

export const TIKTOK_WEBHOOK_PATH = '/webhooks/tiktok';

/**
 * TikTok's webhook deliveries. The body is read raw (the signature covers it byte for byte); a verified delivery
 * is answered 200 once recorded — repeats included, since TikTok retries anything else, and so are signed ones we
 * cannot read or that name another app (logged, changing nothing) — and a forged or stale one 401 without touching
 * anything.
 */
export function mountTikTokWebhooks(
  app: Hono<AppEnv>, options: { deps: AppDeps; clientSecret: string; clientKey: string; logger: Logger }): void {
  app.post(TIKTOK_WEBHOOK_PATH, async (c) => {
    const rawBody = await c.req.text();
    const result = await receiveTikTokWebhook(options.deps, { clientSecret: options.clientSecret, clientKey: options.clientKey }, {
      rawBody,
      signatureHeader: c.req.header('tiktok-signature'),
    });
    recordWebhookDelivery(result);
    if (!result.accepted) {
      options.logger.warn({ msg: 'tiktok webhook refused', reason: result.reason });
      return c.json({ error: { code: 'WEBHOOK_REFUSED', message: 'The delivery’s signature did not verify.' } }, 401);
    }
    if (result.outcome === 'malformed' || result.outcome === 'wrong_client_key') {
      options.logger.warn({ msg: 'tiktok webhook accepted without effect', outcome: result.outcome });
    } else {
      options.logger.info({ msg: 'tiktok webhook', outcome: result.outcome });
    }
    return c.json({ ok: true });
  });
}
