import { randomBytes } from 'node:crypto';
import { signTikTokWebhook } from '@reelpost/tiktok';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_IDS } from '../../src/demo/seed.js';
import { bearer, demoSignIn, type RecordedResponse, useSecurityServer } from './harness.js';
import { call, listProcedures, type ProcedureInfo } from './procedures.js';
import { hs256 } from './tokens.js';

// Secrets never leave the server. Representative flows run against the whole server with every log line captured
// (pino at trace level, in memory) and every response recorded: connecting an account through TikTok's consent and
// the callback, posting and following the post (TikTok's webhooks included), a token refresh, forged webhooks, and
// errors of every kind — 400/401/403/404/409/413, TikTok failing in each way the emulator can (failNext), and our own
// failure (a query the database refuses). Then every log line and every response is scanned for every secret in
// play: TikTok access and refresh tokens (each one ever stored, before and after rotation), PKCE verifiers,
// authorization codes, OAuth states, the TikTok client secret, the encryption key, the demo and service JWT
// secrets, and every bearer token sent, valid or forged.

const SERVICE_SECRET = randomBytes(32).toString('base64url');
const server = useSecurityServer({ env: () => ({ SERVICE_JWT_SECRET: SERVICE_SECRET, TIKTOK_TIMEOUT_MS: '2000' }) });
const procedures = new Map<string, ProcedureInfo>(listProcedures().map((procedure) => [procedure.path, procedure]));
const procedure = (path: string) => procedures.get(path)!;

interface Secret {
  what: string;
  value: string;
  /** Requests whose responses carry it by design (`POST /dev/token` returns the token it issues). */
  allowedIn: readonly string[];
}
const secrets = new Map<string, Secret>();
function remember(what: string, value: string | null | undefined, allowedIn: readonly string[] = []): void {
  if (!value || secrets.has(value)) return;
  secrets.set(value, { what, value, allowedIn });
  // A JWT's signature alone is what a leak would be judged by (its header and payload are not secret).
  const signature = value.split('.')[2];
  if (/^eyJ/.test(value) && signature && signature.length >= 20) secrets.set(signature, { what: `${what} (signature)`, value: signature, allowedIn });
}
const ISSUED_TOKEN_RESPONSES = ['POST /dev/token'];
const CONNECT_RESPONSES = ['POST /api/v1/tiktok/connect', 'POST /trpc/tiktok.connect'];
/** TikTok's callback hands the state and code on to the app page (its redirect), which finishes the connect. */
const CALLBACK_RESPONSES = ['GET /tiktok/callback'];

/** Every token and verifier stored sealed right now, opened: they are all in play. */
async function rememberSealed(): Promise<void> {
  const { db, tokens } = server().runtime.deps;
  for (const row of await db.selectFrom('instance_tiktok_credentials').select(['open_id', 'access_token_encrypted', 'refresh_token_encrypted']).execute()) {
    if (row.access_token_encrypted) remember(`TikTok access token of ${row.open_id}`, tokens.decrypt(row.access_token_encrypted));
    if (row.refresh_token_encrypted) remember(`TikTok refresh token of ${row.open_id}`, tokens.decrypt(row.refresh_token_encrypted));
  }
  for (const row of await db.selectFrom('tiktok_oauth_states').select('code_verifier_encrypted').execute()) {
    remember('PKCE code verifier', tokens.decrypt(row.code_verifier_encrypted));
  }
}

function rest(path: string, token: string | null, init: { method?: string; body?: unknown } = {}) {
  return server().request(path, {
    method: init.method ?? 'GET',
    headers: { ...(token ? bearer(token) : {}), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

let demoToken: string;
let erin: { token: string; instanceId: string };
let defaultAccountId: string;
let secondAccountId: string;
let clientSecret: string;
let clientKey: string;

beforeAll(async () => {
  const { runtime, env, tiktok } = server();
  demoToken = runtime.demo!.token;
  ({ clientSecret, clientKey } = await tiktok.configureApp({}));
  remember('TikTok client secret', clientSecret);
  remember('ENCRYPTION_KEY', env.ENCRYPTION_KEY);
  remember('ENCRYPTION_KEY (raw bytes, hex)', Buffer.from(env.ENCRYPTION_KEY!, 'base64url').toString('hex'));
  remember('DEMO_JWT_SECRET', env.DEMO_JWT_SECRET);
  remember('SERVICE_JWT_SECRET', SERVICE_SECRET);
  remember('the demo bearer token', demoToken, ISSUED_TOKEN_RESPONSES);
  await rememberSealed();
  const accounts = await runtime.deps.db
    .selectFrom('instance_tiktok_credentials')
    .select(['id', 'is_default'])
    .where('instance_id', '=', DEMO_IDS.instance)
    .orderBy('is_default', 'desc')
    .execute();
  defaultAccountId = accounts[0]!.id;
  secondAccountId = accounts[1]!.id;
  await tiktok.setProcessingSpeed(100);
});

describe('flows', () => {
  it('connect: sign in, start, consent at TikTok, the callback hands back, the app finishes (REST and tRPC)', async () => {
    const signedIn = await demoSignIn(server(), 'erin@example.com');
    remember('Erin’s bearer token', signedIn.token, ISSUED_TOKEN_RESPONSES);
    const instance = await server().runtime.deps.db.selectFrom('instances').select('id').where('owner_id', '=', signedIn.userId).executeTakeFirstOrThrow();
    erin = { token: signedIn.token, instanceId: instance.id };

    const viaTrpc = await call(server(), 'trpc', procedure('tiktok.connect'), { instanceId: erin.instanceId }, bearer(erin.token));
    remember('an OAuth state', new URL((viaTrpc.data as { authorizeUrl: string }).authorizeUrl).searchParams.get('state'), CONNECT_RESPONSES);

    const started = (await (await rest('/api/v1/tiktok/connect', erin.token, { method: 'POST', body: { instanceId: erin.instanceId, redirectTo: '/accounts' } })).json()) as {
      authorizeUrl: string;
    };
    remember('an OAuth state', new URL(started.authorizeUrl).searchParams.get('state'), [...CONNECT_RESPONSES, ...CALLBACK_RESPONSES]);
    await rememberSealed();
    const [first] = await server().tiktok.users();
    const consent = await fetch(`${started.authorizeUrl}&emulator_user=${encodeURIComponent(first!.openId)}`, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);
    remember('an authorization code', callback.searchParams.get('code'), CALLBACK_RESPONSES);
    const landed = await server().request(`${callback.pathname}${callback.search}`);
    expect(landed.status).toBe(302);
    const back = new URLSearchParams(new URL(landed.headers.get('location')!).hash.slice(1));
    const completion = { state: back.get('tiktok_state'), code: back.get('tiktok_code') };
    expect((await rest('/api/v1/tiktok/connect/complete', erin.token, { method: 'POST', body: completion })).status).toBe(200);
    // The same code again, and the same state again: refused, logged as refused.
    expect((await rest('/api/v1/tiktok/connect/complete', erin.token, { method: 'POST', body: completion })).status).toBe(400);
    expect((await server().request(`${callback.pathname}${callback.search}`)).status).toBe(400);
    await rememberSealed();
  });

  it('post and follow: the post, status over both surfaces, TikTok’s webhooks to PUBLISHED', async () => {
    const posted = await rest(`/api/v1/tasks/${DEMO_IDS.videoTask}/post-to-tiktok`, demoToken, {
      method: 'POST',
      body: { title: 'Secrets suite #ai', privacyLevel: 'SELF_ONLY', accountId: defaultAccountId },
    });
    expect(posted.status).toBe(200);
    await vi.waitFor(
      async () => {
        const status = await call(server(), 'trpc', procedure('tiktok.status'), { taskId: DEMO_IDS.videoTask }, bearer(demoToken));
        expect((status.data as { status: string }).status).toBe('PUBLISHED');
      },
      { timeout: 10_000, interval: 100 },
    );
    expect((await rest(`/api/v1/tasks/${DEMO_IDS.videoTask}/post-status`, demoToken)).status).toBe(200);
    expect((await rest(`/api/v1/tasks/${DEMO_IDS.videoTask}/detail`, demoToken)).status).toBe(200);
    const events = await server().runtime.deps.db.selectFrom('tiktok_webhook_events').select('event').execute();
    expect(events.length).toBeGreaterThan(0);
  });

  it('refresh: an expired access token is refreshed (rotated refresh token stored) before creator info', async () => {
    await rememberSealed();
    await server().runtime.deps.db.updateTable('instance_tiktok_credentials').set({ access_token_expires_at: new Date(Date.now() - 60_000) }).where('id', '=', defaultAccountId).execute();
    const refreshesBefore = await server().tiktok.calls({ endpoint: 'oauth.token' });
    expect((await rest(`/api/v1/tiktok/creator-info?accountId=${defaultAccountId}`, demoToken)).status).toBe(200);
    expect(await server().tiktok.calls({ endpoint: 'oauth.token' })).toBe(refreshesBefore + 1);
    await rememberSealed();
  });

  it('webhooks: a forged delivery is refused, a genuine one accepted', async () => {
    const body = JSON.stringify({ client_key: clientKey, event: 'post.publish.complete', create_time: Math.floor(Date.now() / 1000), user_openid: 'x', content: '{"publish_id":"v_pub_x"}' });
    const deliver = (signature: string) => server().request('/webhooks/tiktok', { method: 'POST', headers: { 'tiktok-signature': signature }, body });
    expect((await deliver(signTikTokWebhook({ rawBody: body, clientSecret: 'forged-secret' }))).status).toBe(401);
    expect((await deliver(signTikTokWebhook({ rawBody: body, clientSecret }))).status).toBe(200);
  });

  it('errors a caller makes: 400, 401 (forged, expired, foreign tokens), 403, 404, 409, 413', async () => {
    const claims = JSON.parse(Buffer.from(demoToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const forged = [
      hs256(claims, 'a-secret-that-is-not-ours-0123456789abcdef'),
      hs256({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600 }, server().env.DEMO_JWT_SECRET!),
      hs256({ iss: 'reelpost-internal', aud: 'reelpost-api', sub: 'nobody', act: { sub: 'svc' }, scope: 'reelpost:act', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 300 }, SERVICE_SECRET),
    ];
    for (const token of forged) {
      remember('a forged bearer token', token);
      expect((await rest('/api/v1/tasks', token)).status).toBe(401);
      expect((await call(server(), 'trpc', procedure('tasks.list'), {}, bearer(token))).status).toBe(401);
    }
    const basic = `Basic ${Buffer.from(`demo:${randomBytes(12).toString('hex')}`).toString('base64')}`;
    remember('a Basic credential', basic.slice(6));
    expect((await server().request('/api/v1/tasks', { headers: { authorization: basic } })).status).toBe(401);

    // A service token acting for the demo user is accepted.
    const service = hs256({ iss: 'reelpost-internal', aud: 'reelpost-api', sub: claims.sub, act: { sub: 'agent-runner' }, scope: 'reelpost:act', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 300 }, SERVICE_SECRET);
    remember('a service token', service);
    expect((await rest('/api/v1/tasks', service)).status).toBe(200);

    expect((await rest(`/api/v1/tasks/${DEMO_IDS.videoTask}/detail`, erin.token)).status).toBe(403);
    expect((await rest('/api/v1/tasks/00000000-0000-4000-8000-000000000000/detail', demoToken)).status).toBe(404);
    expect((await rest('/api/v1/tasks/not-a-task/detail', demoToken)).status).toBe(400);
    const post = (taskId: string, body: Record<string, unknown>) => rest(`/api/v1/tasks/${taskId}/post-to-tiktok`, demoToken, { method: 'POST', body: { title: 't', privacyLevel: 'SELF_ONLY', ...body } });
    expect((await post(DEMO_IDS.runningTask, {})).status).toBe(400);
    expect((await post(DEMO_IDS.reportTask, {})).status).toBe(400);
    expect((await post(DEMO_IDS.videoTask, { title: 'Another title', accountId: defaultAccountId })).status).toBe(409);
    expect((await post(DEMO_IDS.videoTask, { privacyLevel: 'NOT_A_LEVEL' })).status).toBe(400);
    expect((await server().request('/api/v1/tiktok/connect', { method: 'POST', headers: { ...bearer(demoToken), 'content-type': 'application/json' }, body: 'x'.repeat(1_100_000) })).status).toBe(413);
    expect((await rest('/no/such/route', demoToken)).status).toBe(404);
  });

  it('TikTok failing: rate limited, 5xx after retries, an unreadable answer, a refused init, invalid_grant on refresh, a failed revoke, a failed connect', async () => {
    const { tiktok, runtime } = server();
    const creatorInfo = () => rest(`/api/v1/tiktok/creator-info?accountId=${secondAccountId}`, demoToken);

    await tiktok.failNext('creator_info.query', { kind: 'error', status: 500, code: 'internal_error', count: 4 });
    expect([502, 503]).toContain((await creatorInfo()).status);
    await tiktok.failNext('creator_info.query', { kind: 'malformed', body: 'html', status: 502, count: 4 });
    expect([502, 503]).toContain((await creatorInfo()).status);
    // Last of the creator-info cases: after TikTok's 429 the client holds this token back until TikTok's reset.
    await tiktok.failNext('creator_info.query', { kind: 'error', status: 429, code: 'rate_limit_exceeded' });
    expect((await creatorInfo()).status).toBe(429);

    await tiktok.failNext('video.init', { kind: 'error', status: 403, code: 'spam_risk_too_many_posts' });
    const refused = await rest(`/api/v1/tasks/${DEMO_IDS.videoTask}/post-to-tiktok`, demoToken, {
      method: 'POST',
      body: { title: 'Refused init #ai', privacyLevel: 'SELF_ONLY', accountId: secondAccountId },
    });
    expect(refused.status).toBeGreaterThanOrEqual(200);
    expect(refused.status).toBeLessThan(600);

    // Erin's account: refresh refused with invalid_grant → needs reauth; then disconnect with a failing revoke.
    const erinAccount = await runtime.deps.db.selectFrom('instance_tiktok_credentials').select('id').where('instance_id', '=', erin.instanceId).executeTakeFirstOrThrow();
    await runtime.deps.db.updateTable('instance_tiktok_credentials').set({ access_token_expires_at: new Date(Date.now() - 60_000) }).where('id', '=', erinAccount.id).execute();
    await tiktok.failNext('oauth.token', { kind: 'error', status: 400, code: 'invalid_grant' });
    const reauth = await rest(`/api/v1/tiktok/creator-info?accountId=${erinAccount.id}`, erin.token);
    expect(reauth.status).toBe(400);
    expect(((await reauth.json()) as { error: { code: string } }).error.code).toBe('ACCOUNT_NEEDS_REAUTH');
    await tiktok.failNext('oauth.revoke', { kind: 'error', status: 400, code: 'invalid_request' });
    expect((await rest(`/api/v1/tiktok/accounts/${erinAccount.id}`, erin.token, { method: 'DELETE' })).status).toBe(200);

    // A connect whose user info TikTok refuses.
    const started = (await (await rest('/api/v1/tiktok/connect', erin.token, { method: 'POST', body: { instanceId: erin.instanceId } })).json()) as { authorizeUrl: string };
    remember('an OAuth state', new URL(started.authorizeUrl).searchParams.get('state'), [...CONNECT_RESPONSES, ...CALLBACK_RESPONSES]);
    await rememberSealed();
    const [, second] = await tiktok.users();
    const consent = await fetch(`${started.authorizeUrl}&emulator_user=${encodeURIComponent(second!.openId)}`, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);
    remember('an authorization code', callback.searchParams.get('code'), CALLBACK_RESPONSES);
    await tiktok.failNext('user.info', { kind: 'error', status: 401, code: 'access_token_invalid' });
    const landed = new URLSearchParams(new URL((await server().request(`${callback.pathname}${callback.search}`)).headers.get('location')!).hash.slice(1));
    const completion = { state: landed.get('tiktok_state'), code: landed.get('tiktok_code') };
    expect((await rest('/api/v1/tiktok/connect/complete', erin.token, { method: 'POST', body: completion })).status).toBe(502);
    await rememberSealed();
  }, 30_000); // two failures are retried with TikTok's backoff (0.5 s, 1 s, 2 s) before they reach the caller

  it('a sealed token no key opens → 400 ACCOUNT_NEEDS_REAUTH, and nothing of it shown', async () => {
    const { db } = server().runtime.deps;
    await rememberSealed();
    const unreadable = 'gAAAAABnot-a-fernet-token-at-all';
    remember('a sealed TikTok token', unreadable);
    await db.updateTable('instance_tiktok_credentials').set({ access_token_encrypted: unreadable, access_token_expires_at: new Date(Date.now() + 3_600_000) }).where('id', '=', secondAccountId).execute();
    const response = await rest(`/api/v1/tiktok/creator-info?accountId=${secondAccountId}`, demoToken);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('ACCOUNT_NEEDS_REAUTH');
  });

  it('our own failure (a query the database refuses) → 500 with a request id, and no SQL shown', async () => {
    const { db } = server().runtime.deps;
    await sql`ALTER TABLE instance_tiktok_credentials RENAME TO instance_tiktok_credentials_away`.execute(db);
    const response = await rest(`/api/v1/tiktok/creator-info?accountId=${secondAccountId}`, demoToken).finally(() =>
      sql`ALTER TABLE instance_tiktok_credentials_away RENAME TO instance_tiktok_credentials`.execute(db),
    );
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toMatch(/instance_tiktok_credentials|select|relation/i);
    const body = JSON.parse(text) as { error: { code: string; requestId?: string } };
    expect(body.error.code).toBe('INTERNAL');
    expect(body.error.requestId).toBeTruthy();
  });
});

function leaksIn(text: string, request: string | null): string[] {
  const found: string[] = [];
  for (const secret of secrets.values()) {
    if (request !== null && secret.allowedIn.some((allowed) => request.startsWith(allowed))) continue;
    if (text.includes(secret.value)) found.push(secret.what);
  }
  return found;
}

describe('the scan', () => {
  let logs: string[];
  let responses: RecordedResponse[];
  beforeAll(async () => {
    await server().tiktok.settle();
    logs = server().logs;
    responses = await server().responses();
  });

  it('had something to scan: every kind of secret, log lines of every kind, responses of every status class', () => {
    const kinds = new Set([...secrets.values()].map((secret) => secret.what.replace(/ of .*| \(.*\)$/, '')));
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining([
        'ENCRYPTION_KEY',
        'DEMO_JWT_SECRET',
        'SERVICE_JWT_SECRET',
        'TikTok client secret',
        'TikTok access token',
        'TikTok refresh token',
        'PKCE code verifier',
        'an authorization code',
        'an OAuth state',
        'the demo bearer token',
        'a forged bearer token',
        'a service token',
      ]),
    );
    const messages = new Set(logs.map((line) => (JSON.parse(line) as { msg: string }).msg));
    expect([...messages]).toEqual(
      expect.arrayContaining(['request', 'tiktok call failed', 'tiktok webhook', 'tiktok webhook refused', 'tiktok connect refused at the callback', 'procedure failed']),
    );
    const classes = new Set(responses.map((response) => Math.floor(response.status / 100)));
    expect([...classes].sort()).toEqual([2, 3, 4, 5]);
    console.info(`secrets suite: ${secrets.size} secret values, ${logs.length} log lines, ${responses.length} responses scanned`);
  });

  it('no log line contains any secret', () => {
    const leaks = logs.flatMap((line) => leaksIn(line, null).map((what) => ({ what, line: line.slice(0, 300) })));
    expect(leaks).toEqual([]);
  });

  it('no response contains any secret (beyond the token /dev/token issues, the state connect hands out, and the state and code the callback hands the app)', () => {
    const leaks = responses.flatMap((response) => leaksIn(response.text, response.request).map((what) => ({ what, request: response.request, status: response.status })));
    expect(leaks).toEqual([]);
  });

  it('OAuth codes and states in callback URLs reached the logs masked', () => {
    const callbacks = logs.map((line) => JSON.parse(line) as { msg: string; url?: string }).filter((line) => line.msg === 'request' && line.url?.startsWith('/tiktok/callback'));
    expect(callbacks.length).toBeGreaterThan(0);
    for (const line of callbacks) expect(line.url).toMatch(/code=%5Bredacted%5D|state=%5Bredacted%5D/);
  });
});
