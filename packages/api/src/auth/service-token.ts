import { SignJWT } from 'jose';
import { type Clock, systemClock } from '../deps.js';
import { type Authenticator, AuthenticationError, type JwtExpectations, verifyJwt } from './authenticator.js';
import { hs256VerificationKey, MIN_SECRET_LENGTH, secretBytes } from './hs256.js';

// Service tokens let an internal service (the agent runner, a scheduler) call the API for a given user. They are
// HS256 JWTs signed with SERVICE_JWT_SECRET, which only our services hold, in the shape of RFC 8693's delegation
// ("act") claim:
//   { iss: "reelpost-internal", aud: "reelpost-api", sub: <the user's sub>, act: { sub: <service name> },
//     scope: "reelpost:act", iat, exp }      exp - iat ≤ 1 hour
// The user is named by `sub`, so the same ownership checks as for the user's own token apply; the session says
// actor 'service' and which service it was.

export const SERVICE_TOKEN_ISSUER = 'reelpost-internal';
export const SERVICE_TOKEN_AUDIENCE = 'reelpost-api';
export const SERVICE_SCOPE = 'reelpost:act';
export const MAX_SERVICE_TOKEN_LIFETIME_SECONDS = 3600;
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export interface IssueServiceTokenOptions {
  secret: string;
  /** Who is calling, e.g. `agent-runner`: letters, digits, `.`, `_`, `:`, `-`. */
  service: string;
  /** The `sub` of the user to act for (users.sub). */
  actForSub: string;
  /** Default 5 minutes, at most 1 hour. */
  ttlSeconds?: number;
  clock?: Clock;
}

/** Mints a service token. Services in other languages build the same claims with their own JOSE library. */
export async function issueServiceToken(options: IssueServiceTokenOptions): Promise<string> {
  const ttl = options.ttlSeconds ?? 300;
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_SERVICE_TOKEN_LIFETIME_SECONDS) {
    throw new RangeError(`A service token lives between 1 and ${MAX_SERVICE_TOKEN_LIFETIME_SECONDS} seconds.`);
  }
  if (!SERVICE_NAME.test(options.service)) throw new RangeError('A service name is 1-64 letters, digits, ".", "_", ":", "-".');
  if (options.actForSub.trim() === '') throw new RangeError('A service token must name the user it acts for.');
  if (options.secret.length < MIN_SECRET_LENGTH) {
    throw new RangeError(`SERVICE_JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters.`);
  }
  const now = Math.floor((options.clock ?? systemClock).now().getTime() / 1000);
  return new SignJWT({ act: { sub: options.service }, scope: SERVICE_SCOPE })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(SERVICE_TOKEN_ISSUER)
    .setAudience(SERVICE_TOKEN_AUDIENCE)
    .setSubject(options.actForSub)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .sign(secretBytes(options.secret));
}

export interface ServiceTokenAuthenticatorOptions {
  secret: string;
  clock?: Clock;
  clockToleranceSeconds?: number;
}

export function createServiceTokenAuthenticator(options: ServiceTokenAuthenticatorOptions): Authenticator {
  const key = hs256VerificationKey(options.secret);
  const expected: JwtExpectations = {
    issuer: SERVICE_TOKEN_ISSUER,
    audience: SERVICE_TOKEN_AUDIENCE,
    algorithms: ['HS256'],
    clock: options.clock ?? systemClock,
    clockToleranceSeconds: options.clockToleranceSeconds ?? 30,
    requiredClaims: ['iat', 'act', 'scope'],
    maxTokenAgeSeconds: MAX_SERVICE_TOKEN_LIFETIME_SECONDS,
    source: 'issueServiceToken() with SERVICE_JWT_SECRET',
  };
  return {
    description: `service tokens (HS256, issuer ${SERVICE_TOKEN_ISSUER}, scope ${SERVICE_SCOPE})`,
    async verify(token) {
      const payload = await verifyJwt(token, key, expected);
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      if (!scopes.includes(SERVICE_SCOPE)) {
        throw new AuthenticationError(
          'insufficient_scope',
          `The service token lacks the \`${SERVICE_SCOPE}\` scope.`,
          `Service tokens must carry \`scope: "${SERVICE_SCOPE}"\`.`,
        );
      }
      const actor = payload.act as { sub?: unknown } | null;
      const service = typeof actor === 'object' && actor !== null ? actor.sub : undefined;
      if (typeof service !== 'string' || !SERVICE_NAME.test(service)) {
        throw new AuthenticationError(
          'invalid_claims',
          'The service token does not name its service.',
          'Set `act: { sub: "<service name>" }` (RFC 8693), e.g. with issueServiceToken().',
        );
      }
      if (typeof payload.exp === 'number' && typeof payload.iat === 'number' && payload.exp - payload.iat > MAX_SERVICE_TOKEN_LIFETIME_SECONDS) {
        throw new AuthenticationError(
          'invalid_claims',
          'The service token lives longer than an hour.',
          `Mint short-lived service tokens: exp - iat ≤ ${MAX_SERVICE_TOKEN_LIFETIME_SECONDS} seconds.`,
        );
      }
      return { actor: 'service', sub: payload.sub, service };
    },
  };
}
