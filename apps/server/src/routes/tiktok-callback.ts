import { type AppDeps, completeTikTokConnect, type ConnectOutcome } from '@reelpost/api';
import type { Hono } from 'hono';
import type { AppEnv } from '../app.js';
import { html } from 'hono/html';
import type { Logger } from '../logger.js';

const REASONS: Record<Exclude<ConnectOutcome, { ok: true }>['reason'], string> = {
  missing_state: 'The link back from TikTok was incomplete.',
  unknown_state: 'This sign-in link was not started here.',
  state_reused: 'This sign-in link was already used.',
  state_expired: 'This sign-in link expired (they last 10 minutes).',
  access_denied: 'TikTok access was not granted.',
  missing_code: 'TikTok did not send an authorization code.',
  tiktok_failed: 'TikTok did not complete the connection.',
};

function page(title: string, body: string, status: 200 | 400) {
  return {
    status,
    body: html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>${title}</title>
        </head>
        <body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
          <h1>${title}</h1>
          <p>${body}</p>
        </body>
      </html>`,
  };
}

/**
 * TikTok sends the browser back here after consent. The outcome goes to the app page the connect started from
 * (`redirectTo`, a path on APP_URL, with `tiktok=connected` or `tiktok=error&reason=…`), or is shown on a small page.
 * Failures never link an account and never answer 500.
 */
export function mountTikTokCallback(
  app: Hono<AppEnv>,
  options: { path: string; appUrl: string; deps: AppDeps; logger: Logger },
): void {
  app.get(options.path, async (c) => {
    const query = c.req.query();
    const outcome = await completeTikTokConnect(options.deps, { state: query.state, code: query.code, error: query.error });
    if (outcome.ok) {
      options.logger.info({ msg: 'tiktok account connected', accountId: outcome.account.id, instanceId: outcome.instanceId });
    } else {
      options.logger.warn({ msg: 'tiktok connect refused', reason: outcome.reason, tiktok: outcome.tiktok });
    }
    if (outcome.redirectTo) {
      const target = new URL(outcome.redirectTo, options.appUrl);
      target.searchParams.set('tiktok', outcome.ok ? 'connected' : 'error');
      if (!outcome.ok) target.searchParams.set('reason', outcome.reason);
      return c.redirect(target.toString(), 302);
    }
    const { status, body } = outcome.ok
      ? page('TikTok account connected', `@${outcome.account.username ?? outcome.account.openId} can now post. You can close this window.`, 200)
      : page('TikTok account not connected', `${REASONS[outcome.reason]} Start again from the app.`, 400);
    return c.html(body, status);
  });
}
