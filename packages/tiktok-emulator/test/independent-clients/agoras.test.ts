import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../support.js';
import { authorizeRedirect, call, postForm } from './replay.js';

// Replays the requests of agoras (Python; LuisAlejandro/agoras, agoras/core/api/tiktok_oauth.py, commit
// fc8ff9bc55982dacb3ef786125e3642db6a1a99f): PKCE with code_challenge = hashlib.sha256(verifier).hexdigest() and a
// 64-character verifier of unreserved characters, the verifier sent at the exchange (a form with a User-Agent), and
// creator info read for creator_username.

const REDIRECT = 'http://127.0.0.1:3456/callback/';
const harness = useEmulator({ emulator: { app: { redirectUris: [REDIRECT] } } });
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';

function verifier(): string {
  return Array.from({ length: 64 }, () => ALPHABET[Math.floor(Math.random() * ALPHABET.length)]).join('');
}

async function connect(challengeOf: (codeVerifier: string) => string) {
  const h = harness();
  const codeVerifier = verifier();
  const state = verifier().slice(0, 16);
  const params = new URLSearchParams({
    client_key: h.emulator.app.clientKey,
    scope: ['user.info.basic', 'video.upload', 'video.publish'].join(','),
    redirect_uri: REDIRECT,
    state,
    response_type: 'code',
    code_challenge: challengeOf(codeVerifier),
    code_challenge_method: 'S256',
  });
  const callback = await authorizeRedirect(`${h.emulator.url}/v2/auth/authorize/?${params.toString()}`);
  const token = await postForm(
    h,
    '/v2/oauth/token/',
    {
      client_key: h.emulator.app.clientKey,
      client_secret: h.emulator.app.clientSecret,
      code: callback.searchParams.get('code')!,
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      code_verifier: codeVerifier,
    },
    { 'User-Agent': 'Agoras/2.0.0' },
  );
  return { h, token };
}

describe('agoras against the emulator', () => {
  it('connects with a hex PKCE challenge and reads creator_username', async () => {
    const { h, token } = await connect((codeVerifier) => createHash('sha256').update(codeVerifier).digest('hex'));
    expect(token.status).toBe(200);
    expect(typeof token.body.access_token).toBe('string');
    expect(typeof token.body.refresh_token).toBe('string');
    const creator = await call(h, 'POST', '/v2/post/publish/creator_info/query/', {
      Authorization: `Bearer ${token.body.access_token as string}`,
      'Content-Type': 'application/json; charset=UTF-8',
      'User-Agent': 'Agoras/2.0.0',
    });
    expect(creator.body.data.creator_username).toBe('reelpost.creator');
  });

  it('is refused with invalid_request when the challenge is base64url instead of hex', async () => {
    const { token } = await connect((codeVerifier) => createHash('sha256').update(codeVerifier).digest('base64url'));
    expect(token).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: 'Code verifier or code challenge is invalid.' } });
  });
});
