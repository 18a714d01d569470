import { serveStatic } from '@hono/node-server/serve-static';
import { type DemoAuth, demoTokenRequestSchema } from '@reelpost/api';
import type { Hono } from 'hono';
import type { AppEnv } from '../app.js';
import { demoMediaDirectory } from '../paths.js';

export const DEMO_MEDIA_PATH = '/demo-media/';

/**
 * Demo mode only: `POST /dev/token` signs anyone in by email (a new email gets a user and an empty instance), and
 * the sample video is served under an allow-listed prefix (with byte ranges, as storage would).
 */
export function mountDemoRoutes(app: Hono<AppEnv>, options: { demo: DemoAuth }): void {
  app.post('/dev/token', async (c) => {
    const parsed = demoTokenRequestSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) {
      return c.json({ error: { code: 'INVALID_INPUT', message: 'Send {"email": "you@example.com"}.' } }, 400);
    }
    const { token, userId, expiresAt } = await options.demo.issueDemoToken(parsed.data);
    return c.json({ token, userId, expiresAt: expiresAt.toISOString() });
  });
  app.use(
    `${DEMO_MEDIA_PATH}*`,
    serveStatic({ root: demoMediaDirectory, rewriteRequestPath: (path) => path.slice(DEMO_MEDIA_PATH.length - 1) }),
  );
}
