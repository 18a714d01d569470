import { decodeJwt } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../deps.js';
import type { Authenticator, VerifiedIdentity } from './authenticator.js';

export interface VerifiedTokensOptions {
  /** How long a verified token is taken on trust; never past its `exp`. */
  ttlMs: number;
  maxEntries: number;
  clock: Clock;
}

/**
 * Remembers which tokens were verified, as API gateways do (Envoy's jwt_authn cache): a session sends the same bearer
 * token with every request, and checking its signature (WebCrypto, off the main thread and back) cost more than
 * the rest of the authentication. A remembered token is trusted for `ttlMs` at most and never after its `exp`;
 * refused tokens are not remembered, so each is checked again and refused with its reason.
 */
export function rememberVerifiedTokens(authenticator: Authenticator, options: VerifiedTokensOptions): Authenticator {
  const verified = new LRUCache<string, VerifiedIdentity>({
    max: options.maxEntries,
    perf: { now: () => options.clock.now().getTime() },
    // Read the clock at every lookup (not lru-cache's millisecond cache of it), so a fake clock's jumps count.
    ttlResolution: 0,
  });
  return {
    description: authenticator.description,
    async verify(token) {
      const remembered = verified.get(token);
      if (remembered) return remembered;
      const identity = await authenticator.verify(token);
      // Every authenticator requires `exp`; a token without one would simply not be remembered.
      const { exp } = decodeJwt(token);
      const ttl = exp === undefined ? 0 : Math.min(options.ttlMs, exp * 1000 - options.clock.now().getTime());
      if (ttl > 0) verified.set(token, identity, { ttl });
      return identity;
    },
  };
}
