import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { TikTokEmulatorControls } from './controls.js';
import type { EmulatorEngine } from './engine.js';
import type { EmulatorEnv } from './http-api.js';

// The controls over HTTP, for a separate process (the demo server, load tests, Playwright):
// POST /__emulator/<control> with a JSON array of its arguments answers {"result": …}; GET /__emulator/ describes
// the emulator. Bound to loopback by default and meant for local use only: it has no authentication.

export const ADMIN_PREFIX = '/__emulator';

export const CONTROL_NAMES = [
  'reset',
  'advance',
  'now',
  'settle',
  'addUser',
  'updateUser',
  'users',
  'configureApp',
  'setAuthorizeBehaviour',
  'issueTokens',
  'revokeAuthorization',
  'clearInbox',
  'publishInboxDraft',
  'dropInboxDraft',
  'takeDownPost',
  'failNext',
  'failNextPublish',
  'slowNextPublish',
  'failNextWebhook',
  'clearFaults',
  'calls',
  'callLog',
  'pauseProcessing',
  'resumeProcessing',
  'setProcessingSpeed',
  'publishes',
  'webhookDeliveries',
] as const satisfies readonly (keyof TikTokEmulatorControls)[];

const argsSchema = z.array(z.unknown()).max(4);

export function createAdminRoutes(engine: EmulatorEngine, controls: TikTokEmulatorControls): Hono<EmulatorEnv> {
  const app = new Hono<EmulatorEnv>();

  const describe = (c: Context<EmulatorEnv>) =>
    c.json({
      url: engine.baseUrl,
      clock: { mode: engine.clock.mode, now: engine.clock.now(), iso: new Date(engine.clock.now()).toISOString() },
      app: { ...engine.app, clientSecret: '(set)' },
      users: engine.listUsers(),
      processingPaused: engine.publishing.paused,
      controls: CONTROL_NAMES,
    });
  app.get(ADMIN_PREFIX, describe);
  app.get(`${ADMIN_PREFIX}/`, describe);

  app.post(`${ADMIN_PREFIX}/:control`, async (c) => {
    const name = c.req.param('control');
    if (!(CONTROL_NAMES as readonly string[]).includes(name)) return c.json({ error: `unknown control ${name}` }, 404);
    const text = await c.req.text();
    let args: unknown[];
    try {
      args = argsSchema.parse(text.trim() === '' ? [] : JSON.parse(text));
    } catch {
      return c.json({ error: 'the body must be a JSON array of arguments' }, 400);
    }
    try {
      const control = controls[name as (typeof CONTROL_NAMES)[number]] as (...values: unknown[]) => Promise<unknown>;
      // JSON has no undefined: a null argument means "not given".
      const result = await control(...args.map((arg) => (arg === null ? undefined : arg)));
      return c.json({ result: result ?? null });
    } catch (error) {
      const message = error instanceof z.ZodError ? z.prettifyError(error) : error instanceof Error ? error.message : String(error);
      return c.json({ error: message }, 400);
    }
  });

  return app;
}
