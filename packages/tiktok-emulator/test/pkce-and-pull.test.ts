import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAuthorizationSecrets } from '@reelpost/tiktok';
import { REDIRECT_URI, rejectionOf, useEmulator, type Harness } from './support.js';

// Login Kit's PKCE (hex SHA-256 challenge, or none on the web flow) and PULL_FROM_URL's https-only, no-redirect rule.

const harness = useEmulator();

async function callbackOf(authorizeUrl: string): Promise<string> {
  const redirect = await fetch(authorizeUrl, { redirect: 'manual' });
  return redirect.headers.get('location')!;
}

describe('PKCE as TikTok documents it', () => {
  it('connects with a lowercase hex S256 challenge and the verifier at the exchange', async () => {
    const h = harness();
    const { state, codeVerifier } = createAuthorizationSecrets();
    const authorizeUrl = new URL(await h.client.buildAuthorizeUrl({ state, codeVerifier, scopes: ['user.info.basic'] }));
    expect(authorizeUrl.searchParams.get('code_challenge')).toBe(createHash('sha256').update(codeVerifier).digest('hex'));
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    await expect(h.client.exchangeCode({ callbackUrl: await callbackOf(authorizeUrl.href), state, codeVerifier })).resolves.toMatchObject({
      openId: expect.any(String) as string,
    });
  });

  it("refuses RFC 7636's base64url challenge at the exchange with invalid_request, as TikTok does", async () => {
    const h = harness();
    const { state, codeVerifier } = createAuthorizationSecrets();
    const authorizeUrl = new URL(await h.client.buildAuthorizeUrl({ state, codeVerifier, scopes: ['user.info.basic'] }));
    authorizeUrl.searchParams.set('code_challenge', createHash('sha256').update(codeVerifier).digest('base64url'));
    const error = await rejectionOf(h.client.exchangeCode({ callbackUrl: await callbackOf(authorizeUrl.href), state, codeVerifier }));
    expect(error).toMatchObject({ code: 'invalid_request', detail: 'Code verifier or code challenge is invalid.', httpStatus: 400 });
  });

  it("leaves PKCE out entirely with pkce: 'off' (no challenge, no verifier), and the web flow still connects", async () => {
    const h = harness();
    const sent: string[] = [];
    const client = h.makeClient({
      pkce: 'off',
      fetch: async (input, init) => {
        if (init?.body instanceof URLSearchParams) sent.push(init.body.toString());
        return fetch(input, init);
      },
    });
    const authorizeUrl = new URL(await client.buildAuthorizeUrl({ state: 'st-off', scopes: ['user.info.basic'] }));
    expect(authorizeUrl.searchParams.has('code_challenge')).toBe(false);
    expect(authorizeUrl.searchParams.has('code_challenge_method')).toBe(false);
    await expect(client.exchangeCode({ callbackUrl: await callbackOf(authorizeUrl.href), state: 'st-off' })).resolves.toMatchObject({ scopes: ['user.info.basic'] });
    expect(sent).toHaveLength(1);
    expect(new URLSearchParams(sent[0]).has('code_verifier')).toBe(false);
    expect(new URLSearchParams(sent[0]).get('redirect_uri')).toBe(REDIRECT_URI);
  });

  it('needs a verifier of 43–128 unreserved characters when PKCE is on', async () => {
    const h = harness();
    await expect(h.client.buildAuthorizeUrl({ state: 's', scopes: ['user.info.basic'] })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(h.client.buildAuthorizeUrl({ state: 's', codeVerifier: 'short', scopes: ['user.info.basic'] })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

async function pull(h: Harness, accessToken: string, videoUrl: string) {
  return h.client.initDirectPost(accessToken, { postInfo: { privacyLevel: 'SELF_ONLY' }, source: { source: 'PULL_FROM_URL', videoUrl } });
}

describe('PULL_FROM_URL: https only, no redirects', () => {
  it('the client refuses an http video URL unless told it talks to a local emulator', async () => {
    const h = harness();
    const tokens = await h.connect();
    const strict = h.makeClient({ allowInsecureRequests: false, allowHttpVideoUrls: false });
    await expect(pull({ ...h, client: strict }, tokens.accessToken, h.videos.urlOf('sample'))).rejects.toMatchObject({
      code: 'invalid_input',
      detail: expect.stringContaining('https only') as string,
    });
    expect(await h.emulator.calls({ endpoint: 'video.init' })).toBe(0);
  });

  it('the emulator refuses http unless set up for local tests', async () => {
    const h = harness();
    const tokens = await h.connect();
    await h.emulator.configureApp({ verifiedUrlPrefixes: [`${h.videos.url}/videos/`], allowHttpVideoUrls: false });
    await expect(pull(h, tokens.accessToken, h.videos.urlOf('sample'))).rejects.toMatchObject({ code: 'url_ownership_unverified', httpStatus: 403 });
    // A bare verified domain stands for https on it, never for plain http.
    await h.emulator.configureApp({ verifiedUrlPrefixes: ['127.0.0.1'], allowHttpVideoUrls: undefined });
    await expect(pull(h, tokens.accessToken, h.videos.urlOf('sample'))).rejects.toMatchObject({ code: 'url_ownership_unverified' });
  });

  it('the emulator does not follow a redirect: the pull fails video_pull_failed', async () => {
    const h = harness();
    const tokens = await h.connect();
    const { publishId } = await pull(h, tokens.accessToken, `${h.videos.url}/videos/redirect.mp4`);
    await h.emulator.settle();
    await h.emulator.advance(10_000);
    await expect(h.client.fetchPostStatus(tokens.accessToken, publishId)).resolves.toMatchObject({ status: 'FAILED', failReason: 'video_pull_failed' });
  });
});
