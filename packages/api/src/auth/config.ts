import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../deps.js';
import { type Authenticator, routeByIssuer } from './authenticator.js';
import { createDemoAuth, type DemoAuth } from './demo.js';
import { createHs256Authenticator, MIN_SECRET_LENGTH, SUPABASE_DEFAULT_AUDIENCE } from './hs256.js';
import { createOidcAuthenticator, OidcConfigurationError } from './oidc.js';
import { createServiceTokenAuthenticator, SERVICE_TOKEN_ISSUER } from './service-token.js';

/**
 * How users (and services) sign in, as the server's configuration gives it — each field is the variable of the same
 * name (`oidcIssuer` is OIDC_ISSUER, …), already trimmed, absent when unset; messages name the variables.
 */
export interface AuthSettings {
  oidcIssuer?: string;
  oidcAudience?: string;
  oidcJwksUri?: string;
  supabaseJwtSecret?: string;
  supabaseJwtAudience?: string;
  supabaseJwtIssuer?: string;
  /** The Supabase project's URL: its `/auth/v1` is the issuer when supabaseJwtIssuer is absent. */
  supabaseUrl?: string;
  serviceJwtSecret?: string;
  /** True when the server runs in demo mode; only then may no identity provider be set. */
  allowDemo?: boolean;
  /** Signs demo tokens (demo mode only); random per process when absent. */
  demoJwtSecret?: string;
}

/** A wrong or missing auth setting. The message names the variable and what to set; it never repeats a secret. */
export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

export type AuthMode = 'oidc' | 'supabase' | 'demo';

export interface AuthSetup {
  mode: AuthMode;
  /** Verifies user tokens of the mode, and service tokens when SERVICE_JWT_SECRET is set. */
  authenticator: Authenticator;
  /** Demo mode only: what `POST /dev/token` calls. Null in every other mode, where that route must not exist. */
  demo: DemoAuth | null;
  /** One line for the start-up log, without secrets. */
  description: string;
}

function requireStrongSecret(name: string, secret: string): string {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new AuthConfigError(`${name} must be at least ${MIN_SECRET_LENGTH} characters; use a long random secret.`);
  }
  return secret;
}

/**
 * Chooses how bearer tokens are verified:
 * - `OIDC_ISSUER` (+ required `OIDC_AUDIENCE`, optional `OIDC_JWKS_URI`): an OpenID Connect provider, keys from its
 *   discovery document's JWKS; public-key algorithms only.
 * - `SUPABASE_JWT_SECRET` (optional `SUPABASE_JWT_AUDIENCE`, default `authenticated`; optional issuer from
 *   `SUPABASE_JWT_ISSUER`, or `SUPABASE_URL` + `/auth/v1`): Supabase Auth's HS256 tokens.
 * - neither, with `allowDemo`: demo tokens signed with `DEMO_JWT_SECRET` (random per process when unset).
 * Setting both OIDC_ISSUER and SUPABASE_JWT_SECRET is refused rather than guessed at.
 * `SERVICE_JWT_SECRET` additionally enables service tokens (see service-token.ts) in any mode.
 */
export function createAuth(settings: AuthSettings, deps: Pick<AppDeps, 'db' | 'clock'>): AuthSetup {
  const { clock } = deps;
  const { oidcIssuer, supabaseJwtSecret: supabaseSecret, serviceJwtSecret: serviceSecret } = settings;
  if (oidcIssuer && supabaseSecret) {
    throw new AuthConfigError('Set either OIDC_ISSUER or SUPABASE_JWT_SECRET, not both: one identity provider signs users in.');
  }

  let mode: AuthMode;
  let users: Authenticator;
  let demo: DemoAuth | null = null;
  let userSecret: string | undefined;
  if (oidcIssuer) {
    mode = 'oidc';
    const audience = settings.oidcAudience;
    if (!audience) {
      throw new AuthConfigError('OIDC_AUDIENCE is required with OIDC_ISSUER: the `aud` your provider puts in access tokens for this API.');
    }
    if (oidcIssuer === SERVICE_TOKEN_ISSUER) throw new AuthConfigError(`OIDC_ISSUER cannot be "${SERVICE_TOKEN_ISSUER}", our service tokens' issuer.`);
    try {
      users = createOidcAuthenticator({ issuer: oidcIssuer, audience, jwksUri: settings.oidcJwksUri, clock });
    } catch (error) {
      if (error instanceof OidcConfigurationError) throw new AuthConfigError(error.message);
      throw error;
    }
  } else if (supabaseSecret) {
    mode = 'supabase';
    userSecret = requireStrongSecret('SUPABASE_JWT_SECRET', supabaseSecret);
    const { supabaseUrl } = settings;
    const issuer = settings.supabaseJwtIssuer ?? (supabaseUrl ? `${supabaseUrl.replace(/\/+$/, '')}/auth/v1` : undefined);
    users = createHs256Authenticator({
      secret: userSecret,
      audience: settings.supabaseJwtAudience ?? SUPABASE_DEFAULT_AUDIENCE,
      issuer,
      clock,
      label: 'Supabase',
      source: 'Supabase Auth (the session\'s access_token)',
    });
  } else if (settings.allowDemo) {
    mode = 'demo';
    userSecret = requireStrongSecret('DEMO_JWT_SECRET', settings.demoJwtSecret ?? randomBytes(32).toString('base64url'));
    demo = createDemoAuth({ db: deps.db, clock, secret: userSecret });
    users = demo.authenticator;
  } else {
    throw new AuthConfigError(
      'No identity provider is configured: set OIDC_ISSUER and OIDC_AUDIENCE, or SUPABASE_JWT_SECRET (or run in demo mode).',
    );
  }

  let authenticator = users;
  if (serviceSecret) {
    requireStrongSecret('SERVICE_JWT_SECRET', serviceSecret);
    if (serviceSecret === userSecret) {
      throw new AuthConfigError('SERVICE_JWT_SECRET must differ from the secret that signs user tokens.');
    }
    authenticator = routeByIssuer(new Map([[SERVICE_TOKEN_ISSUER, createServiceTokenAuthenticator({ secret: serviceSecret, clock })]]), users);
  }
  return { mode, authenticator, demo, description: authenticator.description };
}
