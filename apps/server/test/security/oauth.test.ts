import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, demoSignIn, useSecurityServer } from './harness.js';

// Connecting a TikTok account through the real HTTP callback route (GET /tiktok/callback) and the app's completion
// (POST /api/v1/tiktok/connect/complete), against a replayed, expired or foreign `state`, a connect finished by
// another user (account linking CSRF), a reused or foreign code, and redirect targets off the app: each is refused
// (a 400 page, a redirect to the app with tiktok=error, or a 4xx/502 on completion), never a 500, and links no account.

// Each test starts connects and leaves some unfinished: the per-user cap (5 by default) is tested in rate-limits.
const server = useSecurityServer({ env: () => ({ TIKTOK_PENDING_CONNECTS_PER_USER: '100' }) });

interface Person {
  token: string;
  instanceId: string;
}
let carol: Person;
let dave: Person;
let erin: Person;
let frank: Person;
let openIds: string[];

async function person(email: string): Promise<Person> {
  const { token, userId } = await demoSignIn(server(), email);
  const instance = await server().runtime.deps.db.selectFrom('instances').select('id').where('owner_id', '=', userId).executeTakeFirstOrThrow();
  return { token, instanceId: instance.id };
}

beforeAll(async () => {
  carol = await person('carol@example.com');
  dave = await person('dave@example.com');
  erin = await person('erin@example.com');
  frank = await person('frank@example.com');
  openIds = (await server().tiktok.users()).map((user) => user.openId);
});

async function connect(who: Person, redirectTo?: string): Promise<{ status: number; authorizeUrl?: string }> {
  const response = await server().request('/api/v1/tiktok/connect', {
    method: 'POST',
    headers: { ...bearer(who.token), 'content-type': 'application/json' },
    body: JSON.stringify({ instanceId: who.instanceId, ...(redirectTo !== undefined && { redirectTo }) }),
  });
  return { status: response.status, ...((await response.json()) as { authorizeUrl?: string }) };
}

/** The person consents at TikTok (the emulator) as its user `openId`: TikTok's redirect back, as path and query. */
async function consent(authorizeUrl: string, openId = openIds[0]!, deny = false): Promise<URL> {
  const response = await fetch(`${authorizeUrl}&emulator_user=${encodeURIComponent(openId)}${deny ? '&emulator_deny=1' : ''}`, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (!location) throw new Error(`the emulator answered ${response.status} without a redirect`);
  return new URL(location);
}

/** A callback URL that went through the steps of a real connect for `who`. */
async function callbackFor(who: Person, openId?: string): Promise<URL> {
  const started = await connect(who);
  expect(started.status).toBe(200);
  return consent(started.authorizeUrl!, openId);
}

/** The browser lands on our callback route: the answer as status, redirect target and page text. */
async function land(callback: URL | string) {
  const url = typeof callback === 'string' ? new URL(callback, 'http://localhost') : callback;
  const response = await server().request(`${url.pathname}${url.search}`);
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

/** The state and code the callback handed the app, in the fragment of where it sent the browser. */
const handed = (location: string) => new URLSearchParams(new URL(location).hash.slice(1));

/** Where the callback sent the browser, with the code it handed over replaced. */
function withCode(location: string, code: string): string {
  const url = new URL(location);
  const params = handed(location);
  params.set('tiktok_code', code);
  url.hash = params.toString();
  return url.toString();
}

/** The app page the callback sent the browser to finishes the connect as `who` (tiktok.completeConnect). */
async function finish(who: Person, location: string | null) {
  const params = handed(location ?? 'http://missing/');
  const response = await server().request('/api/v1/tiktok/connect/complete', {
    method: 'POST',
    headers: { ...bearer(who.token), 'content-type': 'application/json' },
    body: JSON.stringify({ state: params.get('tiktok_state') ?? 'none', code: params.get('tiktok_code') ?? 'none' }),
  });
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } };
}

async function accountsOf(who: Person) {
  return server().runtime.deps.db.selectFrom('instance_tiktok_credentials').select(['id', 'open_id', 'access_token_encrypted', 'updated_at']).where('instance_id', '=', who.instanceId).execute();
}

const tokenExchanges = () => server().tiktok.calls({ endpoint: 'oauth.token' });

describe('state', () => {
  it('a genuine connect: the callback hands the app the state and code, the user who started it finishes it', async () => {
    const answer = await land(await callbackFor(carol));
    expect(answer.status).toBe(302);
    const finished = await finish(carol, answer.location);
    expect(finished.status).toBe(200);
    expect(await accountsOf(carol)).toHaveLength(1);
  });

  it('a replay (state already used) is refused and changes nothing: no second exchange, the account untouched', async () => {
    const answer = await land(await callbackFor(carol, openIds[1]));
    expect((await finish(carol, answer.location)).status).toBe(200);
    const linked = await accountsOf(carol);
    const exchanges = await tokenExchanges();

    expect(await finish(carol, answer.location)).toMatchObject({ status: 400, body: { error: { code: 'OAUTH_STATE_INVALID' } } });
    const again = await land(`/tiktok/callback?state=${encodeURIComponent(handed(answer.location!).get('tiktok_state')!)}&code=x`);
    expect(again.status).toBe(400);
    expect(again.text).toContain('already used');
    expect(await accountsOf(carol)).toEqual(linked);
    expect(await tokenExchanges()).toBe(exchanges);
  });

  it('account linking CSRF: a connect started by someone else and finished by me links nothing, the code unspent', async () => {
    // Mallory (here dave) starts a connect for their instance and gets carol to consent and land on the app.
    const answer = await land(await callbackFor(dave));
    const exchanges = await tokenExchanges();
    const carolBefore = await accountsOf(carol);
    expect(await finish(carol, answer.location)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await accountsOf(dave)).toEqual([]);
    expect(await accountsOf(carol)).toEqual(carolBefore);
    expect(await tokenExchanges()).toBe(exchanges);
  });

  it('an expired state (issued 11 minutes ago) is refused before the code is spent; nothing linked', async () => {
    const callback = await callbackFor(dave);
    await server()
      .runtime.deps.db.updateTable('tiktok_oauth_states')
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where('used_at', 'is', null)
      .execute();
    const exchanges = await tokenExchanges();
    const answer = await land(callback);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('expired');
    const state = callback.searchParams.get('state')!;
    expect(await finish(dave, `http://app/#tiktok_state=${encodeURIComponent(state)}&tiktok_code=x`)).toMatchObject({
      status: 400,
      body: { error: { code: 'OAUTH_STATE_INVALID' } },
    });
    expect(await accountsOf(dave)).toEqual([]);
    expect(await tokenExchanges()).toBe(exchanges);
  });

  it.each([
    ['never issued here', () => randomBytes(32).toString('base64url')],
    ['empty', () => ''],
    ['10,000 characters', () => 'A'.repeat(10_000)],
    ['with SQL in it', () => "' OR '1'='1"],
    ['with markup in it', () => '<script>alert(1)</script>'],
  ])('a foreign state (%s) with a genuine code is refused at the callback; nothing linked, the code not spent', async (_label, forged) => {
    const callback = await callbackFor(dave);
    callback.searchParams.set('state', forged());
    const exchanges = await tokenExchanges();
    const answer = await land(callback);
    expect(answer.status).toBe(400);
    expect(answer.text).not.toContain('<script>');
    expect(await accountsOf(dave)).toEqual([]);
    expect(await tokenExchanges()).toBe(exchanges);
  });

  it('no state at all is refused', async () => {
    const answer = await land('/tiktok/callback?code=abc');
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('not started here');
  });

  it('my state with another person’s code (a mix-up): the exchange fails PKCE; nothing linked to either', async () => {
    const theirs = await land(await callbackFor(carol));
    const mine = await land(await callbackFor(dave, openIds[1]));
    const mixed = withCode(mine.location!, handed(theirs.location!).get('tiktok_code')!);
    const carolBefore = await accountsOf(carol);
    expect(await finish(dave, mixed)).toMatchObject({ status: 502, body: { error: { code: 'TIKTOK_ERROR' } } });
    expect(await accountsOf(dave)).toEqual([]);
    expect(await accountsOf(carol)).toEqual(carolBefore);
  });

  // Issue 17, finding 4: on main this unauthenticated request spent the state, so anyone knowing it could.
  it('TikTok’s error=access_denied goes back to the app as an error and spends nothing: the owner can still finish', async () => {
    const callback = await callbackFor(erin);
    const state = callback.searchParams.get('state')!;
    const answer = await land(`/tiktok/callback?state=${encodeURIComponent(state)}&error=access_denied&error_description=no`);
    expect(answer.status).toBe(302);
    expect(new URL(answer.location!).searchParams.get('reason')).toBe('access_denied');
    expect(await accountsOf(erin)).toEqual([]);
    const genuine = await land(callback);
    expect(genuine.status).toBe(302);
    expect((await finish(erin, genuine.location)).status).toBe(200);
    expect(await accountsOf(erin)).toHaveLength(1);
  });

  // Issue 17, finding 4: on main the state was marked used before its owner was checked.
  it('someone else’s attempt to finish my connect does not spend it: I finish it afterwards', async () => {
    const answer = await land(await callbackFor(frank));
    expect(await finish(carol, answer.location)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await finish(frank, answer.location)).status).toBe(200);
    expect(await accountsOf(frank)).toHaveLength(1);
  });
});

describe('code', () => {
  it('a code used once is refused when reused with a fresh state of another person; nothing linked to them', async () => {
    const used = await land(await callbackFor(carol, openIds[1]));
    await finish(carol, used.location);
    const fresh = await land(await callbackFor(dave));
    const reused = withCode(fresh.location!, handed(used.location!).get('tiktok_code')!);
    expect(await finish(dave, reused)).toMatchObject({ status: 502, body: { error: { code: 'TIKTOK_ERROR' } } });
    expect(await accountsOf(dave)).toEqual([]);
  });

  it('a made-up code with a genuine state is refused; nothing linked', async () => {
    const answer = await land(await callbackFor(dave));
    const target = withCode(answer.location!, randomBytes(20).toString('hex'));
    expect((await finish(dave, target)).status).toBe(502);
    expect(await accountsOf(dave)).toEqual([]);
  });
});

describe('where the browser is sent afterwards', () => {
  const app = () => new URL(server().runtime.publicUrl);
  it.each([
    '//evil.example/x',
    '/\\evil.example/x',
    'https://evil.example/x',
    '/\t/evil.example/x',
    '/\n/evil.example/x',
    '/\r\n/evil.example/x',
    '/\t\\evil.example/x',
    ' //evil.example/x',
    'javascript:alert(1)',
    // Issue 17, finding 8: these normalise to //evil.example/x (dot segments) and were accepted on main.
    '/.//evil.example/x',
    '/a/..//evil.example/x',
    '/%2e//evil.example/x',
  ])('redirectTo %j never leads off the app', async (redirectTo) => {
    const started = await connect(dave, redirectTo);
    if (started.status !== 200) {
      expect(started.status).toBe(400);
      return;
    }
    const state = new URL(started.authorizeUrl!).searchParams.get('state')!;
    const answer = await land(`/tiktok/callback?state=${encodeURIComponent(state)}&error=access_denied`);
    expect(answer.status).toBe(302);
    const target = new URL(answer.location!);
    expect(target.origin).toBe(app().origin);
    expect(target.pathname.startsWith('//')).toBe(false);
  });

  it('a target off the app already stored with a state (written before connect checked it) is replaced by the app’s home', async () => {
    const started = await connect(dave, '/settings');
    const state = new URL(started.authorizeUrl!).searchParams.get('state')!;
    await server().runtime.deps.db.updateTable('tiktok_oauth_states').set({ redirect_to: '/\t/evil.example/x' }).where('redirect_to', '=', '/settings').execute();
    const answer = await land(`/tiktok/callback?state=${encodeURIComponent(state)}&error=access_denied`);
    expect(answer.status).toBe(302);
    const target = new URL(answer.location!);
    expect(`${target.origin}${target.pathname}`).toBe(`${app().origin}/`);
  });

  // Issue 17, finding 5: on main the code and state rode in the app URL's query, into every access log on the way.
  it('a path on the app is kept, with the state and code the app needs to finish in the fragment, never the query', async () => {
    const started = await connect(dave, '/settings/accounts?tab=tiktok');
    const callback = await consent(started.authorizeUrl!, openIds[0]);
    const answer = await land(callback);
    expect(answer.status).toBe(302);
    const target = new URL(answer.location!);
    expect(target.origin).toBe(app().origin);
    expect(target.pathname).toBe('/settings/accounts');
    expect([...target.searchParams.keys()]).toEqual(['tab']);
    expect([...handed(answer.location!).keys()].sort()).toEqual(['tiktok_code', 'tiktok_state']);
  });
});

it('no callback or completion answered 500, and only the genuine connects linked accounts', async () => {
  const failures = (await server().responses()).filter((response) => response.status >= 500 && response.status !== 502);
  expect(failures).toEqual([]);
  expect(await accountsOf(carol)).toHaveLength(2);
  expect(await accountsOf(dave)).toHaveLength(0);
});
