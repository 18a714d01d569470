import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createAuthorizationSecrets, TikTokError, tokenSetFromResponse, type TikTokClientEvent } from '@reelpost/tiktok';
import { ALL_SCOPES, closedPortUrl, REDIRECT_URI, rejectionOf, useEmulator } from './support.js';

const harness = useEmulator();

async function authorizeRedirect(url: string): Promise<URL> {
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location')!);
}

describe('OAuth against the emulator', () => {
  it('builds an authorize URL with client_key, comma-separated scopes, state and a hex S256 challenge', async () => {
    const { client, emulator } = harness();
    const url = new URL(await client.buildAuthorizeUrl({ state: 'st', codeVerifier: 'v'.repeat(43), scopes: ['user.info.basic', 'video.publish'] }));

    expect(url.origin + url.pathname).toBe(`${emulator.url}/v2/auth/authorize/`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_key: 'emulator-client-key',
      response_type: 'code',
      scope: 'user.info.basic,video.publish',
      redirect_uri: REDIRECT_URI,
      state: 'st',
      // TikTok's PKCE: lowercase hex SHA-256 of the verifier (64 characters), not RFC 7636's base64url (43).
      code_challenge: createHash('sha256').update('v'.repeat(43)).digest('hex'),
      code_challenge_method: 'S256',
    });
  });

  it('asks for the consent screen again when disableAutoAuth is set', async () => {
    const url = new URL(await harness().client.buildAuthorizeUrl({ state: 's', codeVerifier: 'v'.repeat(43), scopes: ['user.info.basic'], disableAutoAuth: true }));
    expect(url.searchParams.get('disable_auto_auth')).toBe('1');
  });

  it('refuses to build an authorize URL without scopes', async () => {
    const error = await rejectionOf(harness().client.buildAuthorizeUrl({ state: 's', codeVerifier: 'v'.repeat(43), scopes: [] }));
    expect(error).toMatchObject({ code: 'invalid_input' });
  });

  it('exchanges the code from the callback for a token set with expiry dates and granted scopes', async () => {
    const { emulator, connect } = harness();
    const [creator] = await emulator.users();
    const tokens = await connect();

    expect(tokens).toMatchObject({ openId: creator!.openId, scopes: ALL_SCOPES });
    expect(tokens.accessToken).toMatch(/^act\./);
    expect(tokens.refreshToken).toMatch(/^rft\./);
    expect(tokens.accessTokenExpiresAt.getTime()).toBe((await emulator.now()) + 7_200_000);
    expect(tokens.refreshTokenExpiresAt.getTime()).toBe((await emulator.now()) + 15_552_000_000);
  });

  it('exchanges a bare code and state as well as a callback URL', async () => {
    const { client } = harness();
    const { state, codeVerifier } = createAuthorizationSecrets();
    const callback = await authorizeRedirect(await client.buildAuthorizeUrl({ state, codeVerifier, scopes: ['user.info.basic'] }));

    const tokens = await client.exchangeCode({ code: callback.searchParams.get('code')!, state, codeVerifier });
    expect(tokens.scopes).toEqual(['user.info.basic']);
  });

  it('connects the test user chosen for the authorize page', async () => {
    const { emulator, connect } = harness();
    const tokens = await connect({ user: 'quiet.studio' });
    const users = await emulator.users();
    expect(tokens.openId).toBe(users.find((user) => user.username === 'quiet.studio')!.openId);
  });

  it('keeps only the scopes the person granted', async () => {
    const { emulator, connect } = harness();
    await emulator.setAuthorizeBehaviour({ grantScopes: ['user.info.basic', 'video.upload'] });
    const tokens = await connect();
    expect(tokens.scopes).toEqual(['user.info.basic', 'video.upload']);
  });

  it('reports a refusal at the consent screen as access_denied', async () => {
    const { emulator, connect } = harness();
    await emulator.setAuthorizeBehaviour({ deny: true });
    const error = await rejectionOf(connect());
    expect(error).toBeInstanceOf(TikTokError);
    expect(error).toMatchObject({ code: 'access_denied', action: 'reauthorize' });
  });

  it('rejects a callback whose state belongs to another attempt', async () => {
    const { client } = harness();
    const { state, codeVerifier } = createAuthorizationSecrets();
    const callback = await authorizeRedirect(await client.buildAuthorizeUrl({ state, codeVerifier, scopes: ['user.info.basic'] }));

    const error = await rejectionOf(client.exchangeCode({ callbackUrl: callback, state: 'another-state', codeVerifier }));
    expect(error).toMatchObject({ code: 'state_mismatch' });
  });

  it('rejects a callback without a code', async () => {
    const { client } = harness();
    const error = await rejectionOf(client.exchangeCode({ callbackUrl: `${REDIRECT_URI}?state=s`, state: 's', codeVerifier: 'v'.repeat(43) }));
    expect(error).toMatchObject({ code: 'invalid_callback' });
  });

  it('rejects a code exchanged with a different PKCE verifier', async () => {
    const { client } = harness();
    const { state, codeVerifier } = createAuthorizationSecrets();
    const callback = await authorizeRedirect(await client.buildAuthorizeUrl({ state, codeVerifier, scopes: ['user.info.basic'] }));

    const error = await rejectionOf(client.exchangeCode({ callbackUrl: callback, state, codeVerifier: `${codeVerifier}x` }));
    expect(error).toMatchObject({ code: 'invalid_request', httpStatus: 400, detail: 'Code verifier or code challenge is invalid.' });
    expect((error as TikTokError).logId).toMatch(/^2026\d{10}[0-9A-F]{18}$/);
  });

  it('accepts a code only once, and revokes what the first exchange issued when it is replayed', async () => {
    const { client } = harness();
    const { state, codeVerifier } = createAuthorizationSecrets();
    const callback = await authorizeRedirect(await client.buildAuthorizeUrl({ state, codeVerifier, scopes: ALL_SCOPES }));
    const first = await client.exchangeCode({ callbackUrl: callback, state, codeVerifier });

    const error = await rejectionOf(client.exchangeCode({ callbackUrl: callback, state, codeVerifier }));
    expect(error).toMatchObject({ code: 'invalid_grant' });
    await expect(client.getUserInfo(first.accessToken)).rejects.toMatchObject({ code: 'access_token_invalid' });
  });

  it('refuses an expired code', async () => {
    const { client, emulator } = harness();
    const { state, codeVerifier } = createAuthorizationSecrets();
    const callback = await authorizeRedirect(await client.buildAuthorizeUrl({ state, codeVerifier, scopes: ALL_SCOPES }));
    await emulator.advance(11 * 60_000);

    await expect(client.exchangeCode({ callbackUrl: callback, state, codeVerifier })).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('refuses a code exchanged with another registered redirect URI', async () => {
    const { client, emulator, makeClient } = harness();
    const other = 'http://127.0.0.1:3001/other/callback';
    await emulator.configureApp({ redirectUris: [REDIRECT_URI, other] });
    const { state, codeVerifier } = createAuthorizationSecrets();
    const callback = await authorizeRedirect(await client.buildAuthorizeUrl({ state, codeVerifier, scopes: ALL_SCOPES }));

    const error = await rejectionOf(makeClient({ redirectUri: other }).exchangeCode({ callbackUrl: callback, state, codeVerifier }));
    expect(error).toMatchObject({ code: 'invalid_grant' });
  });

  it('shows an error page instead of redirecting to an unregistered redirect URI', async () => {
    const { makeClient } = harness();
    const url = await makeClient({ redirectUri: 'https://attacker.example/cb' }).buildAuthorizeUrl({ state: 's', codeVerifier: 'v'.repeat(43), scopes: ['user.info.basic'] });
    const response = await fetch(url, { redirect: 'manual' });

    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('redirect_uri is not registered');
  });

  it('redirects back with invalid_scope for a scope the app is not approved for', async () => {
    const { client, emulator } = harness();
    await emulator.configureApp({ approvedScopes: ['user.info.basic'] });
    const callback = await authorizeRedirect(await client.buildAuthorizeUrl({ state: 's', codeVerifier: 'v'.repeat(43), scopes: ['video.publish'] }));
    expect(callback.searchParams.get('error')).toBe('invalid_scope');
    expect(callback.searchParams.get('state')).toBe('s');
  });

  it('refuses the wrong client secret with invalid_client', async () => {
    const { makeClient, client } = harness();
    const { state, codeVerifier } = createAuthorizationSecrets();
    const callback = await authorizeRedirect(await client.buildAuthorizeUrl({ state, codeVerifier, scopes: ALL_SCOPES }));

    const error = await rejectionOf(makeClient({ clientSecret: 'not-the-secret' }).exchangeCode({ callbackUrl: callback, state, codeVerifier }));
    expect(error).toMatchObject({ code: 'invalid_client', httpStatus: 401 });
  });

  it('rotates the refresh token on refresh, and the old one stops working', async () => {
    const { client, connect, emulator } = harness();
    const first = await connect();
    const second = await client.refreshAccessToken(first.refreshToken);

    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.openId).toBe(first.openId);
    await expect(client.refreshAccessToken(first.refreshToken)).rejects.toMatchObject({ code: 'invalid_grant', action: 'reauthorize' });
    expect(await emulator.calls({ endpoint: 'oauth.token' })).toBe(3);
  });

  it('refreshes an expired access token, which then works again', async () => {
    const { client, connect, emulator } = harness();
    const tokens = await connect();
    await emulator.advance(2 * 3600_000);
    await expect(client.getUserInfo(tokens.accessToken)).rejects.toMatchObject({ code: 'access_token_invalid', action: 'refresh_token' });

    const refreshed = await client.refreshAccessToken(tokens.refreshToken);
    await expect(client.getUserInfo(refreshed.accessToken)).resolves.toMatchObject({ openId: tokens.openId });
  });

  it('refuses an expired refresh token', async () => {
    const { client, connect, emulator } = harness();
    const tokens = await connect();
    await emulator.advance(181 * 24 * 3600_000);
    await expect(client.refreshAccessToken(tokens.refreshToken)).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('revokes the authorization: the access token and the refresh token stop working', async () => {
    const { client, connect } = harness();
    const tokens = await connect();
    await client.revokeToken(tokens.accessToken);

    await expect(client.queryCreatorInfo(tokens.accessToken)).rejects.toMatchObject({ code: 'access_token_invalid' });
    await expect(client.refreshAccessToken(tokens.refreshToken)).rejects.toMatchObject({ code: 'invalid_grant' });
    // Revoking again is harmless.
    await expect(client.revokeToken(tokens.accessToken)).resolves.toBeUndefined();
  });

  it('reports a revoke with the wrong client secret', async () => {
    const { makeClient, connect } = harness();
    const tokens = await connect();
    await expect(makeClient({ clientSecret: 'wrong-secret' }).revokeToken(tokens.accessToken)).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('treats an OAuth error sent with status 200 as the error it is', async () => {
    const { client, emulator, connect } = harness();
    const tokens = await connect();
    await emulator.failNext('oauth.token', { status: 200, code: 'invalid_grant' });
    await expect(client.refreshAccessToken(tokens.refreshToken)).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('reports an unreadable token answer as bad_response whose outcome is unknown', async () => {
    const { client, emulator, connect } = harness();
    const tokens = await connect();
    await emulator.failNext('oauth.token', { kind: 'malformed', body: 'html', status: 502 });

    const error = await rejectionOf(client.refreshAccessToken(tokens.refreshToken));
    expect(error).toMatchObject({ code: 'bad_response', outcomeUnknown: true, httpStatus: 502, action: 'reconcile' });
  });

  it('reports a 200 token answer without the fields TikTok always sends as bad_response', async () => {
    const { client, emulator, connect } = harness();
    const tokens = await connect();
    await emulator.failNext('oauth.token', { kind: 'malformed', body: 'no-envelope' });
    await expect(client.refreshAccessToken(tokens.refreshToken)).rejects.toMatchObject({ code: 'bad_response', outcomeUnknown: true });
  });

  it('reports a token answer that lacks open_id as bad_response', async () => {
    const { client, emulator, connect } = harness();
    const tokens = await connect();
    await emulator.failNext('oauth.token', { kind: 'malformed', body: 'wrong-data' });
    const error = await rejectionOf(client.refreshAccessToken(tokens.refreshToken));
    expect(error).toMatchObject({ code: 'bad_response', httpStatus: 200, outcomeUnknown: true, detail: expect.stringContaining('refresh_token') as string });
  });

  it('never repeats a refresh whose connection dropped after TikTok rotated the token', async () => {
    const { client, emulator, connect } = harness();
    const tokens = await connect();
    await emulator.failNext('oauth.token', 'drop-after-commit');

    const error = await rejectionOf(client.refreshAccessToken(tokens.refreshToken));
    expect(error).toMatchObject({ code: 'network_error', outcomeUnknown: true, retryable: true });
    expect(await emulator.calls({ endpoint: 'oauth.token' })).toBe(2);
    // TikTok did rotate it: the old refresh token is gone, so the account must be reconnected.
    await expect(client.refreshAccessToken(tokens.refreshToken)).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('does not repeat a refresh TikTok answered with a server error, since it may have rotated the token', async () => {
    const { client, emulator, connect } = harness();
    const tokens = await connect();
    await emulator.failNext('oauth.token', { status: 503, code: 'temporarily_unavailable' });
    const error = await rejectionOf(client.refreshAccessToken(tokens.refreshToken));
    expect(error).toMatchObject({ code: 'temporarily_unavailable', httpStatus: 503, outcomeUnknown: true, action: 'reconcile' });
    expect(await emulator.calls({ endpoint: 'oauth.token' })).toBe(2);
  });

  it('repeats a refresh whose connection was refused, since it never reached TikTok', async () => {
    const { makeClient } = harness();
    const events: TikTokClientEvent[] = [];
    const client = makeClient({ apiBaseUrl: await closedPortUrl(), onEvent: (event) => events.push(event) });
    const error = await rejectionOf(client.refreshAccessToken('rft.anything'));
    expect(error).toMatchObject({ code: 'network_error', outcomeUnknown: false });
    expect(events.filter((event) => event.type === 'retry')).toHaveLength(3);
  });

  it('repeats a revoke whose connection dropped, since revoking twice is harmless', async () => {
    const { client, emulator, connect } = harness();
    const tokens = await connect();
    await emulator.failNext('oauth.revoke', 'drop-before-commit');

    await client.revokeToken(tokens.accessToken);
    expect(await emulator.calls({ endpoint: 'oauth.revoke' })).toBe(2);
  });

  it('keeps tokens out of error messages, enumerable fields and inspection', async () => {
    const { client, emulator, connect } = harness();
    const tokens = await connect();
    await emulator.failNext('oauth.token', { kind: 'malformed', body: 'truncated-json' });
    const refreshError = await rejectionOf(client.refreshAccessToken(tokens.refreshToken));
    await emulator.failNext('status.fetch', { status: 400, code: 'invalid_params', message: `bad token ${tokens.accessToken}` });
    const statusError = await rejectionOf(client.fetchPostStatus(tokens.accessToken, 'v_pub_url~x'));

    for (const error of [refreshError, statusError]) {
      const seen = [String(error), JSON.stringify(error), inspect(error, { depth: 5 }), JSON.stringify(Object.entries(error as object))].join('\n');
      expect(seen).not.toContain(tokens.accessToken);
      expect(seen).not.toContain(tokens.refreshToken);
    }
    expect((statusError as TikTokError).detail).toBe('bad token act.***');
  });
});

describe('user info', () => {
  it('returns the basic profile for user.info.basic', async () => {
    const { client, connect } = harness();
    const tokens = await connect({ scopes: ['user.info.basic'] });
    const info = await client.getUserInfo(tokens.accessToken);
    expect(info).toMatchObject({ openId: tokens.openId, displayName: 'Reelpost Creator', username: undefined });
    expect(info.avatarUrl).toMatch(/^https:\/\//);
  });

  it('returns username and profile fields with user.info.profile', async () => {
    const { client, connect } = harness();
    const tokens = await connect();
    const info = await client.getUserInfo(tokens.accessToken, { fields: ['open_id', 'username', 'is_verified', 'bio_description'] });
    expect(info).toMatchObject({ username: 'reelpost.creator', isVerified: false, bioDescription: '' });
  });

  it('answers scope_permission_missed for fields beyond the granted scopes', async () => {
    const { client, connect } = harness();
    const tokens = await connect({ scopes: ['user.info.basic'] });
    await expect(client.getUserInfo(tokens.accessToken, { fields: ['open_id', 'follower_count'] })).rejects.toMatchObject({
      code: 'scope_permission_missed',
      httpStatus: 400,
    });
  });

  it('answers scope_not_authorized when no requested field is covered', async () => {
    const { client, connect } = harness();
    const tokens = await connect({ scopes: ['video.upload'] });
    await expect(client.getUserInfo(tokens.accessToken)).rejects.toMatchObject({ code: 'scope_not_authorized' });
  });
});

describe('tokenSetFromResponse', () => {
  it('turns a token answer into absolute expiries and a list of scopes', () => {
    const receivedAt = Date.UTC(2026, 0, 1);
    const tokens = tokenSetFromResponse(
      { access_token: 'act.1', refresh_token: 'rft.1', open_id: 'open-1', scope: 'user.info.basic, video.publish', expires_in: 86_400, refresh_expires_in: 31_536_000 },
      receivedAt,
    );
    expect(tokens).toEqual({
      accessToken: 'act.1',
      refreshToken: 'rft.1',
      openId: 'open-1',
      scopes: ['user.info.basic', 'video.publish'],
      accessTokenExpiresAt: new Date(receivedAt + 86_400_000),
      refreshTokenExpiresAt: new Date(receivedAt + 31_536_000_000),
    });
  });
});
