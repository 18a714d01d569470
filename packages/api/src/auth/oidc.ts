import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import { type Clock, systemClock } from '../deps.js';
import { type Authenticator, AuthenticationError, emailClaim, type JwtExpectations, verifyJwt } from './authenticator.js';

/** Public-key algorithms only: a JWKS holds public keys, and an HMAC "signed" with one must never verify. */
export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface OidcAuthenticatorOptions {
  /** Exactly as the provider's discovery document and tokens spell it (a trailing slash matters). */
  issuer: string;
  audience: string;
  /** Skips discovery when set. */
  jwksUri?: string | undefined;
  algorithms?: readonly string[];
  clock?: Clock;
  clockToleranceSeconds?: number;
  /** How long a fetched key set is trusted before it is fetched again (jose's cacheMaxAge); default 10 min. */
  jwksCacheMaxAgeMs?: number;
  /** Minimum time between two key set fetches, e.g. for an unknown `kid` (jose's cooldownDuration); default 30 s. */
  jwksCooldownMs?: number;
  /** Per-request timeout for discovery and key set fetches; default 5 s. */
  fetchTimeoutMs?: number;
  /** After a failed discovery, how long to answer with that failure before asking again; default 5 s. */
  discoveryRetryMs?: number;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http on this machine only (local identity providers and tests). */
function isAcceptableUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

export class OidcConfigurationError extends Error {
  override readonly name = 'OidcConfigurationError';
}

function parseIssuer(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new OidcConfigurationError('OIDC_ISSUER is not a URL; set it to your identity provider\'s issuer, e.g. https://id.example.com/');
  }
  if (!isAcceptableUrl(url)) {
    throw new OidcConfigurationError('OIDC_ISSUER must be an https:// URL (http:// is accepted for localhost only).');
  }
  return url;
}

function unavailable(message: string): AuthenticationError {
  return new AuthenticationError(
    'provider_unavailable',
    message,
    'This is on our side or the identity provider\'s, not your token: retry shortly.',
  );
}

interface DiscoveryDocument {
  issuer?: unknown;
  jwks_uri?: unknown;
}

/**
 * Verifies bearer tokens from an OpenID Connect provider: its key set URL comes from
 * `<issuer>/.well-known/openid-configuration` (fetched on first use and kept), and jose's remote JWKS caches the keys
 * and refetches them, rate-limited, when a token names an unknown `kid` (key rotation at the provider).
 */
export function createOidcAuthenticator(options: OidcAuthenticatorOptions): Authenticator & {
  /** Runs discovery now (e.g. at start-up, to fail fast); verification does it lazily otherwise. */
  discover(): Promise<URL>;
} {
  const issuerUrl = parseIssuer(options.issuer);
  if (!options.audience) throw new OidcConfigurationError('OIDC_AUDIENCE is required with OIDC_ISSUER.');
  const clock = options.clock ?? systemClock;
  const algorithms = options.algorithms ?? OIDC_ALGORITHMS;
  if (algorithms.some((alg) => !OIDC_ALGORITHMS.includes(alg))) {
    throw new OidcConfigurationError(`OIDC tokens may only use public-key algorithms: ${OIDC_ALGORITHMS.join(', ')}.`);
  }
  if (options.jwksUri !== undefined) {
    let jwksUrl: URL | undefined;
    try {
      jwksUrl = new URL(options.jwksUri);
    } catch {
      jwksUrl = undefined;
    }
    if (!jwksUrl || !isAcceptableUrl(jwksUrl)) {
      throw new OidcConfigurationError('OIDC_JWKS_URI must be an https:// URL (http:// is accepted for localhost only).');
    }
  }
  const timeoutMs = options.fetchTimeoutMs ?? 5_000;
  const retryMs = options.discoveryRetryMs ?? 5_000;
  const expected: JwtExpectations = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms,
    clock,
    clockToleranceSeconds: options.clockToleranceSeconds ?? 30,
    source: `your identity provider (${options.issuer})`,
  };

  async function fetchJwksUri(): Promise<URL> {
    const discoveryUrl = new URL(`${issuerUrl.href.replace(/\/$/, '')}/.well-known/openid-configuration`);
    let document: DiscoveryDocument;
    try {
      const response = await fetch(discoveryUrl, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.status !== 200) {
        throw unavailable(`The identity provider's discovery document answered HTTP ${response.status}.`);
      }
      document = (await response.json()) as DiscoveryDocument;
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      throw unavailable('The identity provider\'s discovery document could not be fetched.');
    }
    // OpenID Connect Discovery 1.0 §4.3: the document must name exactly the issuer it was fetched for.
    if (document.issuer !== options.issuer) {
      throw unavailable(
        `The identity provider's discovery document names another issuer; OIDC_ISSUER must be exactly the \`issuer\` it publishes.`,
      );
    }
    let jwksUri: URL;
    try {
      jwksUri = new URL(String(document.jwks_uri));
    } catch {
      throw unavailable('The identity provider\'s discovery document has no valid `jwks_uri`.');
    }
    if (!isAcceptableUrl(jwksUri)) throw unavailable('The identity provider\'s `jwks_uri` is not https.');
    return jwksUri;
  }

  let keySet: Promise<JWTVerifyGetKey> | undefined;
  let lastFailure: { at: number; error: AuthenticationError } | undefined;

  function resolveKeySet(): Promise<JWTVerifyGetKey> {
    if (lastFailure && clock.now().getTime() - lastFailure.at < retryMs) return Promise.reject(lastFailure.error);
    keySet ??= (async () => {
      const jwksUri = options.jwksUri ? new URL(options.jwksUri) : await fetchJwksUri();
      lastFailure = undefined;
      return createRemoteJWKSet(jwksUri, {
        timeoutDuration: timeoutMs,
        ...(options.jwksCacheMaxAgeMs !== undefined && { cacheMaxAge: options.jwksCacheMaxAgeMs }),
        ...(options.jwksCooldownMs !== undefined && { cooldownDuration: options.jwksCooldownMs }),
      });
    })().catch((error: unknown) => {
      keySet = undefined;
      const failure = error instanceof AuthenticationError ? error : unavailable('The identity provider could not be reached.');
      lastFailure = { at: clock.now().getTime(), error: failure };
      throw failure;
    });
    return keySet;
  }

  // jose calls this for every token; failures to reach the key set are ours to report, not the token's fault.
  const getKey: JWTVerifyGetKey = async (header, token) => {
    const jwks = await resolveKeySet();
    try {
      return await jwks(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JOSENotSupported) throw error;
      if (error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw unavailable('The identity provider\'s key set could not be fetched.');
    }
  };

  return {
    description: `OIDC (${options.issuer}, audience "${options.audience}")`,
    discover: async () => {
      if (options.jwksUri) return new URL(options.jwksUri);
      return fetchJwksUri();
    },
    async verify(token) {
      const payload = await verifyJwt(token, getKey, expected);
      return { actor: 'user', sub: payload.sub, email: emailClaim(payload) };
    },
  };
}
