import {
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import type { Clock } from '../deps.js';

// Every bearer token is checked by jose; this file only chooses its options (pinned algorithms, issuer, audience,
// required claims, our clock) and turns its errors into reasons a caller can act on. No token, claim value or key
// ever goes into an error.

/** Who a verified token speaks for. */
export type VerifiedIdentity =
  | { actor: 'user'; sub: string; email: string | null }
  /** An internal service acting for the user `sub`; `service` names it (the token's `act.sub`). */
  | { actor: 'service'; sub: string; service: string };

export interface Authenticator {
  /** What tokens this accepts, for start-up logs (no secrets): e.g. `OIDC (https://id.example.com/)`. */
  readonly description: string;
  /** Resolves the identity of a valid token; rejects with `AuthenticationError` and nothing else. */
  verify(token: string): Promise<VerifiedIdentity>;
}

export type AuthenticationFailure =
  | 'malformed'
  | 'algorithm_not_allowed'
  | 'bad_signature'
  | 'unknown_key'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'missing_claim'
  | 'invalid_claims'
  | 'insufficient_scope'
  /** A service token acting for someone who has never signed in. */
  | 'unknown_user'
  /** We could not check the token: the identity provider's discovery document or key set is unreachable or bad. */
  | 'provider_unavailable';

/** Why a token was refused, in words a client developer can act on. Carries no part of the token. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
  constructor(
    readonly reason: AuthenticationFailure,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** The expectations one kind of token is held to, used for both the checks and the explanations. */
export interface JwtExpectations {
  /** Exact `iss`; omitted only for Supabase projects whose issuer is not configured. */
  issuer?: string | undefined;
  audience: string;
  /** Pinned per mode: never both HMAC and public-key algorithms, never `none`. */
  algorithms: readonly string[];
  clock: Clock;
  clockToleranceSeconds: number;
  /** Claims that must be present, beyond `sub` and `exp` (always required). */
  requiredClaims?: readonly string[];
  /** Longest accepted age since `iat`, in seconds. */
  maxTokenAgeSeconds?: number;
  /** Where to get a fresh token, for hints: "your identity provider", "POST /dev/token". */
  source: string;
}

/** Tokens larger than this are refused before any parsing. */
const MAX_TOKEN_LENGTH = 16 * 1024;

function describeAudience(audience: string): string {
  return `audience "${audience}"`;
}

function fromJoseError(error: unknown, expected: JwtExpectations): AuthenticationError {
  if (error instanceof AuthenticationError) return error;
  const fresh = `Get a fresh token from ${expected.source} and retry.`;
  if (error instanceof errors.JWTExpired) {
    return new AuthenticationError('expired', 'The bearer token has expired.', fresh);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') {
      return new AuthenticationError(
        'missing_claim',
        `The bearer token has no \`${error.claim}\` claim.`,
        `Tokens must carry ${['sub', 'exp', ...(expected.requiredClaims ?? [])].map((c) => `\`${c}\``).join(', ')}.`,
      );
    }
    switch (error.claim) {
      case 'iss':
        return new AuthenticationError(
          'wrong_issuer',
          'The bearer token was issued by another identity provider.',
          `This server accepts tokens issued by "${expected.issuer ?? '(any)'}"; get one from ${expected.source}.`,
        );
      case 'aud':
        return new AuthenticationError(
          'wrong_audience',
          'The bearer token is meant for another audience.',
          `This server accepts tokens for ${describeAudience(expected.audience)}; ask ${expected.source} for a token with that audience.`,
        );
      case 'nbf':
        return new AuthenticationError(
          'not_yet_valid',
          'The bearer token is not valid yet.',
          'Its `nbf` is in the future; check the clock of the machine that issued it.',
        );
      case 'iat':
        return new AuthenticationError(
          'not_yet_valid',
          'The bearer token claims to be issued in the future.',
          'Its `iat` is in the future; check the clock of the machine that issued it.',
        );
      default:
        return new AuthenticationError(
          'invalid_claims',
          `The bearer token's \`${error.claim}\` claim is not acceptable.`,
          fresh,
        );
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return algorithmNotAllowed(expected);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthenticationError(
      'bad_signature',
      'The bearer token signature does not verify.',
      `The token was altered, or was not signed by ${expected.source}.`,
    );
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new AuthenticationError(
      'unknown_key',
      'The bearer token is signed with a key the identity provider does not publish.',
      `Get a fresh token from ${expected.source}; a token signed by another provider or a retired key is refused.`,
    );
  }
  // JWSInvalid, JWTInvalid (payload not JSON, claims of the wrong type) and anything else about the token itself.
  return new AuthenticationError('malformed', 'The bearer token is not a valid JWT.', `Send a JWT from ${expected.source}.`);
}

function algorithmNotAllowed(expected: JwtExpectations): AuthenticationError {
  return new AuthenticationError(
    'algorithm_not_allowed',
    'The bearer token is signed with an algorithm this server does not accept.',
    `Accepted: ${expected.algorithms.join(', ')}.`,
  );
}

/**
 * Verifies a JWT with jose against pinned expectations. The `alg` is checked against the pinned list before jose
 * runs (so `none`, and HS256 where RS256 is expected, are refused with a clear reason) and again by jose itself.
 */
export async function verifyJwt(
  token: string,
  key: JWTVerifyGetKey,
  expected: JwtExpectations,
): Promise<JWTPayload & { sub: string }> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw new AuthenticationError('malformed', 'The bearer token is not a valid JWT.', `Send a JWT from ${expected.source}.`);
  }
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch (error) {
    throw fromJoseError(error, expected);
  }
  if (typeof alg !== 'string' || !expected.algorithms.includes(alg)) throw algorithmNotAllowed(expected);

  const options: JWTVerifyOptions = {
    algorithms: [...expected.algorithms],
    audience: expected.audience,
    currentDate: expected.clock.now(),
    clockTolerance: expected.clockToleranceSeconds,
    requiredClaims: ['sub', 'exp', ...(expected.requiredClaims ?? [])],
    ...(expected.issuer !== undefined && { issuer: expected.issuer }),
    ...(expected.maxTokenAgeSeconds !== undefined && { maxTokenAge: expected.maxTokenAgeSeconds }),
  };
  let payload: JWTPayload;
  try {
    payload = (await jwtVerify(token, key, options)).payload;
  } catch (error) {
    throw fromJoseError(error, expected);
  }
  // jose compares `iat` with the clock only under maxTokenAge; a token "issued" in the future is refused in every mode
  // (issue 17, finding 8): it would outlive any age limit, and no honest issuer makes one.
  const nowSeconds = Math.floor(expected.clock.now().getTime() / 1000);
  if (typeof payload.iat === 'number' && payload.iat > nowSeconds + expected.clockToleranceSeconds) {
    throw new AuthenticationError(
      'not_yet_valid',
      'The bearer token claims to be issued in the future.',
      'Its `iat` is in the future; check the clock of the machine that issued it.',
    );
  }
  if (typeof payload.sub !== 'string' || payload.sub.trim() === '') {
    throw new AuthenticationError('missing_claim', 'The bearer token has no `sub` claim.', 'Tokens must name their subject.');
  }
  return payload as JWTPayload & { sub: string };
}

export function emailClaim(payload: JWTPayload): string | null {
  return typeof payload.email === 'string' && payload.email.trim() !== '' ? payload.email.trim() : null;
}

/**
 * Sends each token to the authenticator for its (unverified) `iss`, and everything else to `fallback`. Reading `iss`
 * before verification only picks which checks run; the chosen authenticator verifies everything, `iss` included.
 */
export function routeByIssuer(routes: ReadonlyMap<string, Authenticator>, fallback: Authenticator): Authenticator {
  return {
    description: [fallback.description, ...[...routes.values()].map((a) => a.description)].join(' + '),
    verify(token: string) {
      let issuer: unknown;
      try {
        issuer = decodeJwt(token).iss;
      } catch {
        issuer = undefined;
      }
      const route = typeof issuer === 'string' ? routes.get(issuer) : undefined;
      return (route ?? fallback).verify(token);
    },
  };
}
