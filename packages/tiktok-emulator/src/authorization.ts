import type { z } from 'zod';
import { tikTokCodeChallenge } from '@reelpost/tiktok';
import type { EmulatorClock } from './clock.js';
import type { IdSource } from './ids.js';
import { authorizeBehaviourSchema, EMULATOR_SCOPES, type EmulatorApp } from './options.js';
import type { EmulatorUser } from './users.js';
import { fail, failure, ok, safeEqual, type ApiFailure, type Result } from './wire.js';

// TikTok's Login Kit as an authorization server: the authorize page's checks and codes, the token endpoint (code
// with PKCE and exact redirect_uri, single use; refresh with rotation), revocation, and bearer authentication.

export interface Grant {
  id: string;
  openId: string;
  scopes: string[];
  revoked: boolean;
}

interface AuthorizationCode {
  code: string;
  openId: string;
  scopes: string[];
  redirectUri: string;
  codeChallenge: string | undefined;
  expiresAt: number;
  /** The grant it was exchanged for; a second exchange revokes it (RFC 6749 §4.1.2). */
  grantId: string | undefined;
}

interface AccessTokenRecord {
  grantId: string;
  expiresAt: number;
}

interface RefreshTokenRecord {
  grantId: string;
  expiresAt: number;
  /** Replaced by a newer refresh token: TikTok rotates them and the old one stops working. */
  rotated: boolean;
}

export interface IssuedTokens {
  access_token: string;
  expires_in: number;
  open_id: string;
  refresh_expires_in: number;
  refresh_token: string;
  scope: string;
  token_type: 'Bearer';
}

export interface Authenticated {
  accessToken: string;
  grant: Grant;
  user: EmulatorUser;
}

export interface AuthorizationServerDeps {
  app: () => EmulatorApp;
  ids: () => IdSource;
  clock: EmulatorClock;
  findUser: (openIdOrUsername: string) => EmulatorUser | undefined;
  firstUser: () => EmulatorUser | undefined;
  /** The app revoked a user's authorization through the API. */
  onRevoked: (openId: string) => void;
}

export class AuthorizationServer {
  private grants = new Map<string, Grant>();
  private codes = new Map<string, AuthorizationCode>();
  private accessTokens = new Map<string, AccessTokenRecord>();
  private refreshTokens = new Map<string, RefreshTokenRecord>();
  private authorizeBehaviour = authorizeBehaviourSchema.parse({});

  constructor(private readonly deps: AuthorizationServerDeps) {}

  private get clock(): EmulatorClock {
    return this.deps.clock;
  }

  reset(): void {
    this.grants.clear();
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.authorizeBehaviour = authorizeBehaviourSchema.parse({});
  }

  setAuthorizeBehaviour(input: z.input<typeof authorizeBehaviourSchema>): void {
    this.authorizeBehaviour = authorizeBehaviourSchema.parse(input);
  }

  /**
   * Checks an authorize request as TikTok's page does before showing anything: an untrustworthy request gets an
   * error page (never a redirect, which would leak to an unregistered URI); a malformed but trustworthy one is
   * redirected back with an error.
   */
  private inspectAuthorize(query: URLSearchParams): Result<{ back: URL; requested: string[]; challenge: string | undefined; error?: Record<string, string> }> {
    if (query.get('client_key') !== this.deps.app().clientKey) return fail(400, 'invalid_client', 'client_key is unknown');
    const redirectUri = query.get('redirect_uri') ?? '';
    if (!this.deps.app().redirectUris.includes(redirectUri)) return fail(400, 'invalid_request', 'redirect_uri is not registered for this app');
    const back = new URL(redirectUri);
    const state = query.get('state');
    if (state !== null) back.searchParams.set('state', state);
    const requested = (query.get('scope') ?? '').split(',').map((scope) => scope.trim()).filter(Boolean);
    const challenge = query.get('code_challenge') ?? undefined;
    const found = { back, requested, challenge };
    if (query.get('response_type') !== 'code') {
      return ok({ ...found, error: { error: 'unsupported_response_type', error_description: 'response_type must be code' } });
    }
    const unknown = requested.filter((scope) => !(EMULATOR_SCOPES as readonly string[]).includes(scope) || !this.deps.app().approvedScopes.includes(scope as never));
    if (requested.length === 0 || unknown.length > 0) {
      return ok({ ...found, error: { error: 'invalid_scope', error_description: `scope not approved for this app: ${unknown.join(',') || '(none)'}` } });
    }
    if (challenge !== undefined && query.get('code_challenge_method') !== 'S256') {
      return ok({ ...found, error: { error: 'invalid_request', error_description: 'code_challenge_method must be S256' } });
    }
    return ok(found);
  }

  /** Whether the consent page may be shown: undefined when it may, else the answer to give instead. */
  authorizePreflight(query: URLSearchParams): Result<{ redirect: string } | undefined> {
    const inspected = this.inspectAuthorize(query);
    if (!inspected.ok) return inspected;
    return ok(inspected.value.error ? { redirect: this.authorizeRedirect(inspected.value.back, inspected.value.error) } : undefined);
  }

  private authorizeRedirect(back: URL, params: Record<string, string>): string {
    const url = new URL(back);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    // state last, as TikTok writes it.
    const state = back.searchParams.get('state');
    if (state !== null) {
      url.searchParams.delete('state');
      url.searchParams.set('state', state);
    }
    return url.href;
  }

  /** The browser authorize step: a redirect back to the app, or an error page when the request cannot be trusted. */
  authorize(query: URLSearchParams, override?: { user?: string; deny?: boolean }): Result<{ redirect: string; user: EmulatorUser | undefined }> {
    const inspected = this.inspectAuthorize(query);
    if (!inspected.ok) return inspected;
    const { back, requested, challenge, error } = inspected.value;
    if (error) return ok({ redirect: this.authorizeRedirect(back, error), user: undefined });
    const deny = override?.deny ?? this.authorizeBehaviour.deny;
    if (deny) return ok({ redirect: this.authorizeRedirect(back, { error: 'access_denied', error_description: 'The user denied the authorization request.' }), user: undefined });
    const who = override?.user ?? this.authorizeBehaviour.user;
    const user = who ? this.deps.findUser(who) : this.deps.firstUser();
    if (!user) return fail(400, 'invalid_request', `no test user ${who ?? ''}`);
    const granted = this.authorizeBehaviour.grantScopes ? requested.filter((scope) => this.authorizeBehaviour.grantScopes?.includes(scope)) : requested;
    const code = this.deps.ids().hex(40);
    this.codes.set(code, {
      code,
      openId: user.openId,
      scopes: granted,
      redirectUri: query.get('redirect_uri')!,
      codeChallenge: challenge,
      expiresAt: this.clock.now() + this.deps.app().authorizationCodeLifetimeSec * 1000,
      grantId: undefined,
    });
    return ok({ redirect: this.authorizeRedirect(back, { code, scopes: granted.join(',') }), user });
  }

  private checkClient(form: URLSearchParams): ApiFailure | undefined {
    const key = form.get('client_key');
    const secret = form.get('client_secret') ?? '';
    if (key !== this.deps.app().clientKey || !safeEqual(secret, this.deps.app().clientSecret)) {
      return failure(401, 'invalid_client', 'Client key or secret is incorrect.');
    }
    return undefined;
  }

  /** Creates a grant and its first token pair, as the code exchange does (also used to seed connected accounts). */
  issueTokens(openIdOrUsername: string, scopes: readonly string[] = EMULATOR_SCOPES): IssuedTokens {
    const user = this.deps.findUser(openIdOrUsername);
    if (!user) throw new Error(`no test user ${openIdOrUsername}`);
    const grant: Grant = { id: this.deps.ids().hex(16), openId: user.openId, scopes: [...scopes], revoked: false };
    this.grants.set(grant.id, grant);
    return this.tokenPair(grant);
  }

  private tokenPair(grant: Grant): IssuedTokens {
    const now = this.clock.now();
    const accessToken = this.deps.ids().token('act');
    const refreshToken = this.deps.ids().token('rft');
    this.accessTokens.set(accessToken, { grantId: grant.id, expiresAt: now + this.deps.app().accessTokenLifetimeSec * 1000 });
    this.refreshTokens.set(refreshToken, { grantId: grant.id, expiresAt: now + this.deps.app().refreshTokenLifetimeSec * 1000, rotated: false });
    return {
      access_token: accessToken,
      expires_in: this.deps.app().accessTokenLifetimeSec,
      open_id: grant.openId,
      refresh_expires_in: this.deps.app().refreshTokenLifetimeSec,
      refresh_token: refreshToken,
      scope: grant.scopes.join(','),
      token_type: 'Bearer',
    };
  }

  /** POST /v2/oauth/token/ for both grants. Answers the OAuth error shape on failure. */
  token(form: URLSearchParams): Result<IssuedTokens> & { openId?: string } {
    const clientFailure = this.checkClient(form);
    if (clientFailure) return { ok: false, failure: clientFailure };
    const grantType = form.get('grant_type');
    const now = this.clock.now();
    if (grantType === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      if (!code) return fail(400, 'invalid_grant', 'Authorization code is invalid.');
      if (code.grantId !== undefined) {
        // A replayed code: refuse it and revoke what it produced.
        const grant = this.grants.get(code.grantId);
        if (grant) grant.revoked = true;
        return fail(400, 'invalid_grant', 'Authorization code has been used.');
      }
      if (code.expiresAt <= now) return fail(400, 'invalid_grant', 'Authorization code is expired.');
      if (form.get('redirect_uri') !== code.redirectUri) return fail(400, 'invalid_grant', 'redirect_uri does not match the authorization request.');
      if (code.codeChallenge !== undefined) {
        const verifier = form.get('code_verifier');
        if (!verifier || !safeEqual(tikTokCodeChallenge(verifier), code.codeChallenge)) {
          return fail(400, 'invalid_request', 'Code verifier or code challenge is invalid.');
        }
      }
      const grant: Grant = { id: this.deps.ids().hex(16), openId: code.openId, scopes: code.scopes, revoked: false };
      this.grants.set(grant.id, grant);
      code.grantId = grant.id;
      return { ...ok(this.tokenPair(grant)), openId: grant.openId };
    }
    if (grantType === 'refresh_token') {
      const record = this.refreshTokens.get(form.get('refresh_token') ?? '');
      const grant = record ? this.grants.get(record.grantId) : undefined;
      if (!record || !grant) return fail(400, 'invalid_grant', 'Refresh token is invalid.');
      if (grant.revoked) return fail(400, 'invalid_grant', 'Refresh token has been revoked.');
      if (record.rotated) return fail(400, 'invalid_grant', 'Refresh token has been replaced by a newer one.');
      if (record.expiresAt <= now) return fail(400, 'invalid_grant', 'Refresh token is expired.');
      record.rotated = true;
      return { ...ok(this.tokenPair(grant)), openId: grant.openId };
    }
    return fail(400, 'unsupported_grant_type', `grant_type ${grantType ?? '(none)'} is not supported.`);
  }

  /** POST /v2/oauth/revoke/: ends the whole authorization the token belongs to. */
  revoke(form: URLSearchParams): Result<{ openId: string | undefined }> {
    const clientFailure = this.checkClient(form);
    if (clientFailure) return { ok: false, failure: clientFailure };
    const token = form.get('token') ?? '';
    const grantId = this.accessTokens.get(token)?.grantId ?? this.refreshTokens.get(token)?.grantId;
    const grant = grantId ? this.grants.get(grantId) : undefined;
    if (!grant || grant.revoked) return ok({ openId: grant?.openId });
    this.deps.onRevoked(grant.openId);
    return ok({ openId: grant.openId });
  }

  /** Ends every grant of a user; answers how many were active. */
  revokeGrantsOf(openId: string): number {
    let ended = 0;
    for (const grant of this.grants.values()) {
      if (grant.openId === openId && !grant.revoked) {
        grant.revoked = true;
        ended += 1;
      }
    }
    return ended;
  }

  grantOfAccessToken(accessToken: string): Grant | undefined {
    const record = this.accessTokens.get(accessToken);
    return record ? this.grants.get(record.grantId) : undefined;
  }

  authenticate(authorization: string | undefined): Result<Authenticated> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    const accessToken = match?.[1];
    const record = accessToken ? this.accessTokens.get(accessToken) : undefined;
    const grant = record ? this.grants.get(record.grantId) : undefined;
    const user = grant ? this.deps.findUser(grant.openId) : undefined;
    if (!accessToken || !record || !grant || !user) {
      return fail(401, 'access_token_invalid', 'The access token is invalid or not found in the request.');
    }
    if (grant.revoked) return fail(401, 'access_token_invalid', 'The access token has been revoked.');
    if (record.expiresAt <= this.clock.now()) return fail(401, 'access_token_invalid', 'The access token has expired.');
    return ok({ accessToken, grant, user });
  }
}
