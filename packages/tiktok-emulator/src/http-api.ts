import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { parseJsonKeepingLargeIntegers, TIKTOK_PATHS, type TikTokEndpoint } from '@reelpost/tiktok';
import type { Authenticated } from './authorization.js';
import type { CallRecord, EmulatorEngine } from './engine.js';
import type { EmulatorFault } from './options.js';
import { envelopeBody, newLogId, oauthErrorBody, type ApiFailure } from './wire.js';

// TikTok's HTTP surface on one host: the browser authorize page, the OAuth token and revoke endpoints, user info,
// the Content Posting endpoints and the upload URL, with TikTok's paths, envelopes, statuses and codes. Every
// request is counted, and may be replaced by a queued fault.

export type EmulatorEnv = { Bindings: HttpBindings };
type Ctx = Context<EmulatorEnv>;

interface Reply {
  status: number;
  body: string | null;
  contentType?: string;
  headers?: Record<string, string>;
  /** TikTok's code (or "ok"), for the call log. */
  code: string;
}

const OAUTH_ENDPOINTS = new Set<TikTokEndpoint>(['oauth.token', 'oauth.revoke', 'oauth.authorize']);

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function htmlPage(title: string, inner: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main>${inner}</main></body></html>`;
}

function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '')?.[1];
}

/** Cuts the connection under the request without an answer. */
function dropConnection(c: Ctx): void {
  c.env.incoming.socket.destroy();
}

export interface ApiRoutesContext {
  engine: EmulatorEngine;
  /** Hung requests (timeout faults) resolve when the emulator stops. */
  hangs: Set<() => void>;
}

export function createApiRoutes({ engine, hangs }: ApiRoutesContext): Hono<EmulatorEnv> {
  const app = new Hono<EmulatorEnv>();
  const logId = () => newLogId(engine.clock, engine.ids);

  const envelope = (data: unknown): Reply => ({ status: 200, body: envelopeBody(logId(), data), contentType: 'application/json', code: 'ok' });
  const envelopeFailure = (failure: ApiFailure): Reply => ({
    status: failure.status,
    body: envelopeBody(logId(), {}, failure),
    contentType: 'application/json',
    code: failure.code,
  });
  const oauthFailure = (failure: ApiFailure): Reply => ({
    status: failure.status,
    body: oauthErrorBody(logId(), failure.code, failure.message),
    contentType: 'application/json',
    code: failure.code,
  });
  const faultReply = (endpoint: TikTokEndpoint, fault: Extract<EmulatorFault, { kind: 'error' }>): Reply => {
    const failure = { status: fault.status, code: fault.code, message: fault.message ?? `Injected ${fault.code}.` };
    return OAUTH_ENDPOINTS.has(endpoint) ? oauthFailure(failure) : envelopeFailure(failure);
  };

  const malformed = (endpoint: TikTokEndpoint, fault: Extract<EmulatorFault, { kind: 'malformed' }>, original: Reply): Reply => {
    // For OAuth, "wrong data" is a valid OAuth token answer that lacks what TikTok always sends (open_id, ...).
    const wrongData = OAUTH_ENDPOINTS.has(endpoint) ? '{"access_token":"act.partial","token_type":"Bearer"}' : envelopeBody(logId(), { unexpected: true });
    const bodies: Record<typeof fault.body, [string, string]> = {
      html: ['<!doctype html><html><body><h1>502 Bad Gateway</h1><p>upstream connect error</p></body></html>', 'text/html'],
      'truncated-json': [(original.body ?? '{"data":{}}').slice(0, Math.max(1, Math.floor((original.body ?? '').length / 2))), 'application/json'],
      'no-envelope': ['{"message":"success"}', 'application/json'],
      empty: ['', 'application/json'],
      'wrong-data': [wrongData, 'application/json'],
    };
    const [body, contentType] = bodies[fault.body];
    return { status: fault.status, body, contentType, code: `malformed:${fault.body}` };
  };

  const toResponse = (reply: Reply): Response =>
    new Response(reply.body, {
      status: reply.status,
      headers: { ...(reply.contentType && { 'content-type': reply.contentType }), ...reply.headers },
    });

  /** Counts the call, applies a queued fault, runs the handler and lets due work happen before and after. */
  const route =
    (endpoint: TikTokEndpoint, handler: (c: Ctx, call: CallRecord) => Promise<Reply> | Reply) =>
    async (c: Ctx): Promise<Response> => {
      const call = engine.recordCall(endpoint, bearerToken(c.req.header('authorization')));
      engine.pump();
      const fault = engine.takeFault(endpoint);
      call.fault = fault?.kind;
      if (fault?.kind === 'timeout') {
        await new Promise<void>((resolve) => {
          hangs.add(resolve);
          c.env.outgoing.once('close', resolve);
        });
        dropConnection(c);
        return new Response(null, { status: 504 });
      }
      if (fault?.kind === 'drop-before-commit') {
        dropConnection(c);
        return new Response(null, { status: 502 });
      }
      if (fault?.kind === 'error') {
        const reply = faultReply(endpoint, fault);
        Object.assign(call, { httpStatus: reply.status, code: reply.code });
        return toResponse(reply);
      }
      let reply = await handler(c, call);
      engine.pump();
      if (fault?.kind === 'drop-after-commit') {
        Object.assign(call, { httpStatus: undefined, code: `${reply.code} (dropped)` });
        dropConnection(c);
        return toResponse(reply);
      }
      if (fault?.kind === 'malformed') reply = malformed(endpoint, fault, reply);
      Object.assign(call, { httpStatus: reply.status, code: reply.code });
      return toResponse(reply);
    };

  /** Bearer auth, then the per-token rate limit, then the endpoint's work. */
  const authed =
    (endpoint: TikTokEndpoint, handler: (c: Ctx, auth: Authenticated) => Promise<Reply> | Reply) =>
    route(endpoint, async (c, call) => {
      const auth = engine.auth.authenticate(c.req.header('authorization'));
      if (!auth.ok) return envelopeFailure(auth.failure);
      call.openId = auth.value.user.openId;
      const limited = engine.checkRateLimit(auth.value.accessToken, endpoint);
      if (limited) return envelopeFailure(limited);
      return handler(c, auth.value);
    });

  const jsonBody = async (c: Ctx): Promise<{ ok: true; value: unknown } | { ok: false; reply: Reply }> => {
    const text = await c.req.text();
    if (text.trim() === '') return { ok: true, value: {} };
    try {
      return { ok: true, value: parseJsonKeepingLargeIntegers(text) };
    } catch {
      return { ok: false, reply: envelopeFailure({ status: 400, code: 'invalid_param', message: 'The request body is not valid JSON.' }) };
    }
  };

  const formBody = async (c: Ctx): Promise<URLSearchParams> => new URLSearchParams(await c.req.text());

  // ---------------------------------------------------------------- OAuth

  const authorizeReply = (query: URLSearchParams, override?: { user?: string; deny?: boolean }): Reply => {
    const result = engine.auth.authorize(query, override);
    if (!result.ok) {
      const page = htmlPage('TikTok authorization error', `<h1>We couldn't log in with TikTok</h1><p>${escapeHtml(result.failure.code)}: ${escapeHtml(result.failure.message)}</p>`);
      return { status: result.failure.status, body: page, contentType: 'text/html; charset=utf-8', code: result.failure.code };
    }
    const location = new URL(result.value.redirect);
    return { status: 302, body: null, headers: { location: location.href }, code: location.searchParams.get('error') ?? 'ok' };
  };

  app.get(
    TIKTOK_PATHS['oauth.authorize'],
    route('oauth.authorize', (c) => {
      const url = new URL(c.req.url);
      const query = url.searchParams;
      const chosen = query.get('emulator_user') ?? undefined;
      if (!engine.consentPage || chosen !== undefined) return authorizeReply(query, chosen === undefined ? undefined : { user: chosen });
      // Only a request that would be answered with a code gets the page.
      const preflight = engine.auth.authorizePreflight(query);
      if (!preflight.ok || preflight.value) return authorizeReply(query);
      // A consent page for people clicking through the demo: choose a test user, or cancel.
      const hidden = [...query].map(([key, value]) => `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value)}">`).join('');
      const buttons = engine
        .listUsers()
        .map((user) => `<button name="emulator_user" value="${escapeHtml(user.openId)}">Continue as @${escapeHtml(user.username)}</button>`)
        .join(' ');
      const page = htmlPage(
        'Authorize with TikTok (emulator)',
        `<h1>TikTok emulator</h1><p>${escapeHtml(query.get('client_key') ?? '')} asks for: ${escapeHtml(query.get('scope') ?? '')}</p>` +
          `<form method="post">${hidden}${buttons} <button name="decision" value="deny">Cancel</button></form>`,
      );
      return { status: 200, body: page, contentType: 'text/html; charset=utf-8', code: 'consent_page' };
    }),
  );

  app.post(
    TIKTOK_PATHS['oauth.authorize'],
    route('oauth.authorize', async (c) => {
      const form = await formBody(c);
      const deny = form.get('decision') === 'deny';
      const user = form.get('emulator_user') ?? undefined;
      form.delete('emulator_user');
      form.delete('decision');
      return authorizeReply(form, { deny, ...(user !== undefined && { user }) });
    }),
  );

  app.post(
    TIKTOK_PATHS['oauth.token'],
    route('oauth.token', async (c, call) => {
      const result = engine.auth.token(await formBody(c));
      if (!result.ok) return oauthFailure(result.failure);
      call.openId = result.openId;
      return { status: 200, body: JSON.stringify(result.value), contentType: 'application/json', code: 'ok' };
    }),
  );

  app.post(
    TIKTOK_PATHS['oauth.revoke'],
    route('oauth.revoke', async (c, call) => {
      const result = engine.auth.revoke(await formBody(c));
      if (!result.ok) return oauthFailure(result.failure);
      call.openId = result.value.openId;
      return { status: 200, body: '{}', contentType: 'application/json', code: 'ok' };
    }),
  );

  // ---------------------------------------------------------------- Display and Content Posting API

  const answer = <T>(result: { ok: true; value: T } | { ok: false; failure: ApiFailure }): Reply =>
    result.ok ? envelope(result.value) : envelopeFailure(result.failure);

  app.get(
    TIKTOK_PATHS['user.info'],
    authed('user.info', (c, auth) => answer(engine.userInfo(auth, c.req.query('fields')))),
  );

  app.post(
    TIKTOK_PATHS['creator_info.query'],
    authed('creator_info.query', (_c, auth) => answer(engine.creatorInfo(auth))),
  );

  for (const [endpoint, mode] of [
    ['video.init', 'direct'],
    ['inbox.video.init', 'inbox'],
    ['content.init', 'photo'],
  ] as const) {
    app.post(
      TIKTOK_PATHS[endpoint],
      authed(endpoint, async (c, auth) => {
        const body = await jsonBody(c);
        return body.ok ? answer(engine.init(auth, mode, body.value)) : body.reply;
      }),
    );
  }

  app.post(
    TIKTOK_PATHS['status.fetch'],
    authed('status.fetch', async (c, auth) => {
      const body = await jsonBody(c);
      return body.ok ? answer(engine.status(auth, body.value)) : body.reply;
    }),
  );

  app.put(
    '/upload/video/',
    route('upload', async (c) => {
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const query = new URL(c.req.url).searchParams;
      const result = engine.publishing.uploadChunk(query, { contentType: c.req.header('content-type'), contentRange: c.req.header('content-range') }, bytes);
      const status = result.ok ? result.value.status : result.failure.status;
      // 206 and 416 tell the sender what has arrived, so it can resume from there (Media Transfer Guide).
      const range = status === 206 || status === 416 ? engine.publishing.uploadRange(query) : undefined;
      const headers = range === undefined ? undefined : { 'content-range': range };
      if (!result.ok) return { ...envelopeFailure(result.failure), headers };
      return { status, body: null, code: 'ok', headers };
    }),
  );

  return app;
}
