import * as oidc from 'openid-client';
import { z } from 'zod';
import type { TikTokClock } from './clock.js';
import { TIKTOK_PATHS, type TikTokEndpoint } from './endpoints.js';
import { TikTokError } from './errors.js';
import { tikTokCodeChallenge, type PkceMode } from './pkce.js';
import { fetchFailure, joinUrl, withRetries, type Transport } from './transport.js';
import { oauthErrorSchema, tokenResponseSchema } from './schemas.js';

// TikTok's Login Kit is OAuth 2.0 with two quirks: the client is named by `client_key` (not client_id) and scopes
// are comma-separated. openid-client does the protocol work (PKCE, state, error shapes) through a manual
// Configuration; a custom fetch renames client_id to client_key in every form it sends.

export const TIKTOK_SCOPES = ['user.info.basic', 'user.info.profile', 'user.info.stats', 'video.list', 'video.publish', 'video.upload'] as const;

export const tikTokTokenSetSchema = z.object({
  accessToken: z.string().min(1),
  /** Always store this one: TikTok rotates refresh tokens, and the previous one stops working. */
  refreshToken: z.string().min(1),
  openId: z.string().min(1),
  scopes: z.array(z.string()),
  accessTokenExpiresAt: z.date(),
  refreshTokenExpiresAt: z.date(),
});
export type TikTokTokenSet = z.infer<typeof tikTokTokenSetSchema>;

/**
 * TikTok's token answer as a token set: expiries made absolute from `receivedAt` (epoch ms), scopes split (TikTok
 * separates them with commas). The emulator's directly issued tokens come in the same shape.
 */
export function tokenSetFromResponse(response: z.infer<typeof tokenResponseSchema>, receivedAt: number): TikTokTokenSet {
  return tikTokTokenSetSchema.parse({
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    openId: response.open_id,
    scopes: response.scope
      .split(/[\s,]+/)
      .map((scope) => scope.trim())
      .filter(Boolean),
    accessTokenExpiresAt: new Date(receivedAt + response.expires_in * 1000),
    refreshTokenExpiresAt: new Date(receivedAt + response.refresh_expires_in * 1000),
  });
}

export interface OAuthSettings {
  clientKey: string;
  clientSecret: string;
  redirectUri: string;
  authBaseUrl: string;
  allowInsecureRequests: boolean;
  pkce: PkceMode;
}

export interface BuildAuthorizeUrlInput {
  state: string;
  /** Required with PKCE (`pkce: 'hex-s256'`, the default); ignored with `pkce: 'off'`. */
  codeVerifier?: string | undefined;
  scopes: readonly string[];
  /** TikTok's `disable_auto_auth=1`: always show the consent screen (useful to switch accounts). */
  disableAutoAuth?: boolean;
}

export type ExchangeCodeInput = { state: string; /** The authorize URL's verifier; omitted with `pkce: 'off'`. */ codeVerifier?: string | undefined } & (
  | { callbackUrl: string | URL; code?: undefined }
  | { code: string; callbackUrl?: undefined }
);

/** New random values for one connection attempt; keep both server-side (e.g. in the session) until the callback. */
export function createAuthorizationSecrets(): { state: string; codeVerifier: string } {
  return { state: oidc.randomState(), codeVerifier: oidc.randomPKCECodeVerifier() };
}

function endpointOfUrl(url: string): TikTokEndpoint {
  return url.includes(TIKTOK_PATHS['oauth.revoke']) ? 'oauth.revoke' : 'oauth.token';
}

/**
 * openid-client's fetch hook: client_id becomes client_key in the form, requests go through our fetch with our
 * timeout, and TikTok's OAuth errors are read here whatever their status.
 */
function tikTokOAuthFetch(transport: Transport, clientKey: string): oidc.CustomFetch {
  return async (url, options) => {
    const endpoint = endpointOfUrl(url);
    // openid-client sends token and revocation requests as a form.
    const body = new URLSearchParams(options.body as URLSearchParams);
    body.delete('client_id');
    body.set('client_key', clientKey);
    const timeoutSignal = AbortSignal.timeout(transport.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeoutSignal]) : timeoutSignal;
    let response: Response;
    let text: string;
    try {
      response = await transport.fetch(url, { ...options, body, signal });
      text = await response.text();
    } catch (error) {
      // Code exchange and refresh are single-use: if one may have reached TikTok, repeating it blindly could burn
      // the code or rotate the refresh token twice. Revocation is safe to repeat.
      throw fetchFailure(error, { endpoint, idempotent: endpoint === 'oauth.revoke', timeoutSignal });
    }
    // TikTok's OAuth error shape is read here for every status: openid-client reads it only from 4xx answers, and
    // TikTok is reported to send some with 200.
    const oauthError = oauthErrorOf(text);
    if (oauthError) {
      throw new TikTokError({
        code: oauthError.error,
        detail: oauthError.error_description,
        logId: oauthError.log_id,
        httpStatus: response.status,
        endpoint,
        // A server error during a code exchange or refresh may still have spent the code or rotated the token.
        outcomeUnknown: endpoint === 'oauth.token' && response.status >= 500,
      });
    }
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

function oauthErrorOf(text: string): z.infer<typeof oauthErrorSchema> | undefined {
  try {
    const parsed = oauthErrorSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export class TikTokOAuth {
  private readonly config: oidc.Configuration;

  constructor(
    private readonly settings: OAuthSettings,
    private readonly transport: Transport,
    private readonly clock: TikTokClock,
  ) {
    const server: oidc.ServerMetadata = {
      issuer: new URL(settings.authBaseUrl).origin,
      authorization_endpoint: joinUrl(settings.authBaseUrl, TIKTOK_PATHS['oauth.authorize']),
      token_endpoint: joinUrl(transport.apiBaseUrl, TIKTOK_PATHS['oauth.token']),
      revocation_endpoint: joinUrl(transport.apiBaseUrl, TIKTOK_PATHS['oauth.revoke']),
    };
    this.config = new oidc.Configuration(
      server,
      settings.clientKey,
      { client_secret: settings.clientSecret },
      oidc.ClientSecretPost(settings.clientSecret),
    );
    this.config[oidc.customFetch] = tikTokOAuthFetch(transport, settings.clientKey);
    if (settings.allowInsecureRequests) oidc.allowInsecureRequests(this.config);
  }

  // Kept async (the public API returns a promise) though the hex challenge is computed synchronously.
  // eslint-disable-next-line @typescript-eslint/require-await
  async buildAuthorizeUrl(input: BuildAuthorizeUrlInput): Promise<string> {
    if (input.scopes.length === 0) throw new TikTokError({ code: 'invalid_input', endpoint: 'oauth.authorize', detail: 'at least one scope is needed' });
    const verifier = this.verifierFor(input.codeVerifier);
    const url = oidc.buildAuthorizationUrl(this.config, {
      client_key: this.settings.clientKey,
      response_type: 'code',
      scope: input.scopes.join(','),
      redirect_uri: this.settings.redirectUri,
      state: input.state,
      // openid-client would compute RFC 7636's base64url; TikTok wants the hex digest (see pkce.ts).
      ...(verifier !== undefined && { code_challenge: tikTokCodeChallenge(verifier), code_challenge_method: 'S256' }),
      ...(input.disableAutoAuth && { disable_auto_auth: '1' }),
    });
    url.searchParams.delete('client_id');
    return url.href;
  }

  async exchangeCode(input: ExchangeCodeInput): Promise<TikTokTokenSet> {
    // The token request's redirect_uri must equal the registered one exactly, whatever host or proxy the callback
    // came through, so only the callback's query is taken.
    const callback = new URL(this.settings.redirectUri);
    if (input.callbackUrl !== undefined) {
      for (const [key, value] of new URL(input.callbackUrl).searchParams) callback.searchParams.append(key, value);
    } else {
      callback.searchParams.set('code', input.code);
      callback.searchParams.set('state', input.state);
    }
    const verifier = this.verifierFor(input.codeVerifier);
    return this.grant('authorization_code', () =>
      oidc.authorizationCodeGrant(this.config, callback, { pkceCodeVerifier: verifier, expectedState: input.state }),
    );
  }

  /** The verifier to use under the configured PKCE mode: required with hex S256, left out entirely when off. */
  private verifierFor(codeVerifier: string | undefined): string | undefined {
    if (this.settings.pkce === 'off') return undefined;
    // RFC 7636 §4.1 (which TikTok's PKCE page follows for the verifier): 43–128 unreserved characters.
    if (codeVerifier === undefined || !/^[A-Za-z0-9._~-]{43,128}$/.test(codeVerifier)) {
      throw new TikTokError({ code: 'invalid_input', endpoint: 'oauth.authorize', detail: 'a code verifier of 43–128 unreserved characters is needed (pkce is hex-s256)' });
    }
    return codeVerifier;
  }

  async refreshAccessToken(refreshToken: string): Promise<TikTokTokenSet> {
    return this.grant('refresh_token', () => oidc.refreshTokenGrant(this.config, refreshToken));
  }

  /** Revokes the token and with it the person's authorization of this app. Repeated on network failures. */
  async revokeToken(token: string): Promise<void> {
    await withRetries(this.transport, 'oauth.revoke', undefined, async () => {
      try {
        await oidc.tokenRevocation(this.config, token);
      } catch (error) {
        throw this.translate(error, 'oauth.revoke', true);
      }
    });
  }

  private async grant(kind: 'authorization_code' | 'refresh_token', run: () => Promise<unknown>): Promise<TikTokTokenSet> {
    // Repeated only when the request provably never left (a refused connection): a code is single-use and a
    // refresh rotates the token, so anything that may have reached TikTok is reported, not repeated.
    const result = await withRetries(this.transport, 'oauth.token', undefined, async () => {
      try {
        return await run();
      } catch (error) {
        throw this.translate(error, 'oauth.token', false);
      }
    });
    const parsed = tokenResponseSchema.safeParse(result);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') ?? 'body';
      // TikTok answered 200, so the code is spent or the refresh token rotated: the outcome is not "nothing happened".
      throw new TikTokError({
        code: 'bad_response',
        endpoint: 'oauth.token',
        httpStatus: 200,
        detail: `the ${kind} answer lacks a valid "${field}"`,
        outcomeUnknown: true,
      });
    }
    return tokenSetFromResponse(parsed.data, this.clock.now());
  }

  /** openid-client's errors carry response bodies (tokens included); only safe fields are copied out. */
  private translate(thrown: unknown, endpoint: TikTokEndpoint, idempotent: boolean): TikTokError {
    // openid-client wraps what went wrong (our own fetch errors included) in a ClientError.
    let error = thrown;
    while (error instanceof oidc.ClientError && error.cause !== undefined) error = error.cause;
    if (error instanceof TikTokError) return error;
    if (error instanceof oidc.AuthorizationResponseError) {
      return new TikTokError({ code: error.error, detail: error.error_description, endpoint: 'oauth.authorize' });
    }
    const message = error instanceof Error ? error.message : '';
    if (message.includes('"state"')) return new TikTokError({ code: 'state_mismatch', endpoint: 'oauth.authorize' });
    if (message.includes('authorization code')) return new TikTokError({ code: 'invalid_callback', endpoint: 'oauth.authorize' });
    // An answer that is not an OAuth answer at all (an HTML error page, say) arrives as the Response itself.
    const response = error instanceof Response ? error : (error as { cause?: unknown } | undefined)?.cause;
    return new TikTokError({
      code: 'bad_response',
      endpoint,
      httpStatus: response instanceof Response ? response.status : undefined,
      detail: 'the OAuth answer could not be read',
      outcomeUnknown: !idempotent,
    });
  }
}
