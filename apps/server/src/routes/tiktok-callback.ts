import { type AppDeps, peekConnectState } from '@reelpost/api';
import type { Hono } from 'hono';
import type { AppEnv } from '../app.js';
import { html } from 'hono/html';
import type { Logger } from '../logger.js';

/** The state problems that end on this server's own page (the others go back to the app). */
const REASONS = {
  unknown_state: 'This sign-in link was not started here.',
  state_reused: 'This sign-in link was already used.',
  state_expired: 'This sign-in link expired (they last 10 minutes).',
} as const;

function refusalPage(reason: keyof typeof REASONS) {
  return {
    status: 400 as const,
    body: html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>TikTok account not connected</title>
        </head>
        <body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
          <h1>TikTok account not connected</h1>
          <p>${REASONS[reason]} Start again from the app.</p>
        </body>
      </html>`,
  };
}

/**
 * TikTok sends the browser back here after consent. Nobody is signed in on this request (the app holds its bearer
 * token), so the code is not exchanged here: the browser goes on to the app page the connect started from
 * (`redirectTo` on APP_URL, or APP_URL itself) with `tiktok_state` and `tiktok_code` in the URL's fragment — never
 * its query, so no server's access log (ours included, when it serves the app) ever holds them — and the app
 * finishes with `tiktok.completeConnect` as its signed-in user: only the user who started a connect can finish or
 * spend it. A decline goes back as `tiktok=error&reason=access_denied` and spends nothing (anyone can send this
 * unauthenticated request). A state we never issued, already used or expired ends on a small page; nothing answers
 * 500 and nothing is linked here.
 */
export function mountTikTokCallback(
  app: Hono<AppEnv>,
  options: { path: string; appUrl: string; deps: AppDeps; logger: Logger },
): void {
  app.get(options.path, async (c) => {
    const { state, code, error } = c.req.query();
    const check = await peekConnectState(options.deps, state);
    const problem = !check.known ? 'unknown_state' : check.used ? 'state_reused' : check.expired ? 'state_expired' : error ? 'access_denied' : !code ? 'missing_code' : null;
    if (problem) options.logger.warn({ msg: 'tiktok connect refused at the callback', reason: problem });

    // Only ever back to the app: a stored target that resolves elsewhere — or to a path starting `//`, which a page
    // navigating to its pathname would read as another host — is replaced by the app's home.
    const appOrigin = new URL(options.appUrl).origin;
    const stored = check.known && check.redirectTo ? new URL(check.redirectTo, options.appUrl) : null;
    const target = stored && stored.origin === appOrigin && !stored.pathname.startsWith('//') ? stored : new URL('/', options.appUrl);
    if (problem === null) {
      target.hash = new URLSearchParams({ tiktok_state: state!, tiktok_code: code! }).toString();
      return c.redirect(target.toString(), 302);
    }
    if (problem === 'access_denied' || problem === 'missing_code') {
      target.searchParams.set('tiktok', 'error');
      target.searchParams.set('reason', problem);
      return c.redirect(target.toString(), 302);
    }
    const { status, body } = refusalPage(problem);
    return c.html(body, status);
  });
}
