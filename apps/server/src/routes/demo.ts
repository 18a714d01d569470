import { serveStatic } from '@hono/node-server/serve-static';
import { type DemoAuth, demoTokenRequestSchema } from '@reelpost/api';
import type { Database } from '@reelpost/db';
import { PRIVACY_LEVELS, type TikTokPrivacyLevel } from '@reelpost/tiktok';
import type { TikTokEmulatorControls } from '@reelpost/tiktok-emulator';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AppEnv } from '../app.js';
import type { RateLimits } from '../limits/rate-limits.js';
import { demoMediaDirectory } from '../paths.js';

export const DEMO_MEDIA_PATH = '/demo-media/';
export const DEMO_CREATOR_POSTS_PATH = '/dev/tiktok/creator-posts-draft';

const creatorPostsSchema = z.object({ publishId: z.string().min(1).max(255) });

/**
 * Demo mode only: `POST /dev/token` signs anyone in by email (a new email gets a user and an empty instance), and
 * the sample video is served under an allow-listed prefix (with byte ranges, as storage would).
 */
export function mountDemoRoutes(
  app: Hono<AppEnv>,
  options: { demo: DemoAuth; tiktok: TikTokEmulatorControls; db: Kysely<Database>; rateLimits: RateLimits | null },
): void {
  app.post('/dev/token', async (c) => {
    // Each new email is a user and an instance: without a limit, one client could fill the database.
    const limited = await options.rateLimits?.consumeByIp('devToken', c.get('clientIp'));
    if (limited) {
      const seconds = Math.ceil(limited.retryAfterMs / 1000);
      c.header('retry-after', String(seconds));
      return c.json({ error: { code: 'RATE_LIMITED', message: 'Too many sign-ins from this address: slow down.', hint: `Try again in ${seconds} s.` } }, 429);
    }
    const parsed = demoTokenRequestSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) {
      return c.json({ error: { code: 'INVALID_INPUT', message: 'Send {"email": "you@example.com"}.' } }, 400);
    }
    const { token, userId, expiresAt } = await options.demo.issueDemoToken(parsed.data);
    return c.json({ token, userId, expiresAt: expiresAt.toISOString() });
  });
  // The creator's side of an inbox post, which happens in the TikTok app: they finish the draft and post it. The
  // emulator then reports it as TikTok would (webhooks, status), and the post moves to PUBLISHED like a real one.
  app.post(DEMO_CREATOR_POSTS_PATH, async (c) => {
    const parsed = creatorPostsSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) {
      return c.json({ error: { code: 'INVALID_INPUT', message: 'Send {"publishId": "…"} of a post waiting in the inbox.' } }, 400);
    }
    const post = await options.db
      .selectFrom('tiktok_posts')
      .select(['publish_id', 'privacy_level'])
      .where('publish_id', '=', parsed.data.publishId)
      .where('status', '=', 'SENT_TO_INBOX')
      .executeTakeFirst();
    if (!post) {
      return c.json({ error: { code: 'POST_NOT_FOUND', message: 'No post with that publish id is waiting in a creator’s inbox.', hint: 'Post with mode "inbox" and wait for SENT_TO_INBOX.' } }, 404);
    }
    const privacyLevel = (PRIVACY_LEVELS as readonly string[]).includes(post.privacy_level) ? (post.privacy_level as TikTokPrivacyLevel) : undefined;
    await options.tiktok.publishInboxDraft(parsed.data.publishId, privacyLevel ? { privacyLevel } : {});
    return c.json({ publishId: parsed.data.publishId, posted: true });
  });
  app.use(
    `${DEMO_MEDIA_PATH}*`,
    serveStatic({ root: demoMediaDirectory, rewriteRequestPath: (path) => path.slice(DEMO_MEDIA_PATH.length - 1) }),
  );
}
