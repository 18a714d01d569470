import type { JWTVerifyGetKey } from 'jose';
import { type Clock, systemClock } from '../deps.js';
import { type Authenticator, emailClaim, type JwtExpectations, verifyJwt } from './authenticator.js';

/** Shared secrets shorter than this are refused: HS256 is only as strong as its key. */
export const MIN_SECRET_LENGTH = 32;

export interface Hs256AuthenticatorOptions {
  /** Used as its UTF-8 bytes, as Supabase (GoTrue) does with the project's JWT secret. */
  secret: string;
  audience: string;
  /** Exact `iss` to require; when absent any issuer is accepted (the secret alone says who signed). */
  issuer?: string | undefined;
  clock?: Clock;
  clockToleranceSeconds?: number;
  /** For start-up logs and hints. */
  label: string;
  source: string;
}

export const SUPABASE_DEFAULT_AUDIENCE = 'authenticated';

export function secretBytes(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/**
 * The secret as jose's key resolver, imported once: handed raw bytes, jose imports a WebCrypto key for every token,
 * which cost more than the signature check itself.
 */
export function hs256VerificationKey(secret: string): JWTVerifyGetKey {
  const key = crypto.subtle.importKey('raw', secretBytes(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  return () => key;
}

/**
 * Verifies user tokens signed with a shared HS256 secret: Supabase Auth's access tokens (audience `authenticated`),
 * or our demo tokens. Only HS256 is accepted, so an RS256/ES256 token, or one with `alg: none`, is refused before
 * any key is touched. A Supabase anon or service-role key is refused too: it has no `sub` and not this audience.
 */
export function createHs256Authenticator(options: Hs256AuthenticatorOptions): Authenticator {
  const key = hs256VerificationKey(options.secret);
  const expected: JwtExpectations = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: ['HS256'],
    clock: options.clock ?? systemClock,
    clockToleranceSeconds: options.clockToleranceSeconds ?? 30,
    source: options.source,
  };
  return {
    description: `${options.label} (HS256, audience "${options.audience}"${options.issuer ? `, issuer ${options.issuer}` : ''})`,
    async verify(token) {
      const payload = await verifyJwt(token, key, expected);
      return { actor: 'user', sub: payload.sub, email: emailClaim(payload) };
    },
  };
}
