import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixedClock,
  type LocalOidcProvider,
  newSigningKey,
  NOW_SECONDS,
  type SigningKey,
  signWith,
  startOidcProvider,
  unsignedToken,
} from '../testing/identity-provider.js';
import { AuthenticationError, type AuthenticationFailure } from './authenticator.js';
import { createOidcAuthenticator, OidcConfigurationError } from './oidc.js';

const AUDIENCE = 'https://api.reelpost.test';

let provider: LocalOidcProvider;
let key: SigningKey;

beforeAll(async () => {
  key = await newSigningKey('key-1');
  provider = await startOidcProvider([key]);
});
afterAll(async () => {
  await provider.close();
});

function authenticator(overrides: Partial<Parameters<typeof createOidcAuthenticator>[0]> = {}) {
  return createOidcAuthenticator({ issuer: provider.issuer, audience: AUDIENCE, clock: fixedClock, ...overrides });
}

const claims = (extra: Record<string, unknown> = {}) => ({ iss: provider.issuer, aud: AUDIENCE, sub: 'user-1', ...extra });

async function refusal(promise: Promise<unknown>): Promise<AuthenticationFailure> {
  const error = await promise.then(
    () => {
      throw new Error('expected the token to be refused');
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  return (error as AuthenticationError).reason;
}

describe('OIDC: tokens it accepts', () => {
  it('verifies a token signed with a key from the JWKS named by discovery', async () => {
    const identity = await authenticator().verify(await signWith(key, claims({ email: 'ana@example.com' })));
    expect(identity).toEqual({ actor: 'user', sub: 'user-1', email: 'ana@example.com' });
  });

  it('fetches discovery and the key set once for many tokens', async () => {
    const before = { ...provider.requests };
    const auth = authenticator();
    for (let i = 0; i < 5; i += 1) await auth.verify(await signWith(key, claims({ sub: `user-${i}` })));
    expect(provider.requests.discovery - before.discovery).toBe(1);
    expect(provider.requests.jwks - before.jwks).toBe(1);
  });

  it('refetches the key set when the provider rotates to a key it has not seen', async () => {
    const auth = authenticator({ jwksCooldownMs: 0 });
    await auth.verify(await signWith(key, claims()));
    const rotated = await newSigningKey('key-2', 'ES256');
    provider.publish([key, rotated]);
    try {
      expect((await auth.verify(await signWith(rotated, claims({ sub: 'user-2' })))).sub).toBe('user-2');
    } finally {
      provider.publish([key]);
    }
  });

  it('uses OIDC_JWKS_URI without discovery when given', async () => {
    const before = provider.requests.discovery;
    await authenticator({ jwksUri: provider.jwksUri }).verify(await signWith(key, claims()));
    expect(provider.requests.discovery).toBe(before);
  });

  it('tolerates 30 s of clock skew on exp by default', async () => {
    expect((await authenticator().verify(await signWith(key, claims({ exp: NOW_SECONDS - 20 })))).sub).toBe('user-1');
  });
});

describe('OIDC: tokens it refuses', () => {
  it('an expired token', async () => {
    expect(await refusal(authenticator().verify(await signWith(key, claims({ exp: NOW_SECONDS - 60 }))))).toBe('expired');
  });

  it('a token not valid yet', async () => {
    expect(await refusal(authenticator().verify(await signWith(key, claims({ nbf: NOW_SECONDS + 600 }))))).toBe('not_yet_valid');
  });

  it('a token from another issuer, even signed with the right key', async () => {
    const token = await signWith(key, claims({ iss: 'https://evil.example.com/' }));
    expect(await refusal(authenticator().verify(token))).toBe('wrong_issuer');
  });

  it('a token for another audience', async () => {
    expect(await refusal(authenticator().verify(await signWith(key, claims({ aud: 'another-api' }))))).toBe('wrong_audience');
  });

  it('a token without a subject', async () => {
    expect(await refusal(authenticator().verify(await signWith(key, claims({ sub: undefined }))))).toBe('missing_claim');
  });

  it('a token without an expiry', async () => {
    expect(await refusal(authenticator().verify(await signWith(key, claims({ exp: undefined }))))).toBe('missing_claim');
  });

  it('alg: none', async () => {
    expect(await refusal(authenticator().verify(unsignedToken(claims())))).toBe('algorithm_not_allowed');
  });

  it('an HS256 token "signed" with the provider\'s public key (HS/RS confusion)', async () => {
    for (const secret of [key.publicPem, JSON.stringify(key.publicJwk)]) {
      const forged = await new SignJWT({ ...claims(), iat: NOW_SECONDS, exp: NOW_SECONDS + 3600 })
        .setProtectedHeader({ alg: 'HS256', kid: key.kid })
        .sign(new TextEncoder().encode(secret));
      expect(await refusal(authenticator().verify(forged))).toBe('algorithm_not_allowed');
    }
  });

  it('a token signed by another key under the same kid', async () => {
    const impostor = await newSigningKey('key-1');
    expect(await refusal(authenticator().verify(await signWith(impostor, claims())))).toBe('bad_signature');
  });

  it('a token signed by a key the provider does not publish', async () => {
    const stranger = await newSigningKey('unknown-kid');
    expect(await refusal(authenticator({ jwksCooldownMs: 0 }).verify(await signWith(stranger, claims())))).toBe('unknown_key');
  });

  it('a token whose signature was altered', async () => {
    const token = await signWith(key, claims());
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    expect(await refusal(authenticator().verify(`${header}.${payload}.${flipped}`))).toBe('bad_signature');
  });

  it('a token whose claims were altered after signing', async () => {
    const token = await signWith(key, claims());
    const [header, , signature] = token.split('.') as [string, string, string];
    const payload = Buffer.from(JSON.stringify({ ...claims({ sub: 'admin' }), exp: NOW_SECONDS + 3600 })).toString('base64url');
    expect(await refusal(authenticator().verify(`${header}.${payload}.${signature}`))).toBe('bad_signature');
  });

  it.each([
    ['an empty string', ''],
    ['not a JWT', 'not-a-jwt'],
    ['three segments of nothing', 'a.b.c'],
    ['20 KB of junk', 'x'.repeat(20_000)],
  ])('garbage: %s', async (_label, garbage) => {
    expect(await refusal(authenticator().verify(garbage))).toBe('malformed');
  });
});

describe('OIDC: when the provider cannot be used', () => {
  it('reports the provider unavailable (not the token invalid) when discovery fails', async () => {
    provider.failWith = 503;
    try {
      expect(await refusal(authenticator().verify(await signWith(key, claims())))).toBe('provider_unavailable');
    } finally {
      provider.failWith = null;
    }
  });

  it('does not ask again within the retry window after a failed discovery, and recovers after it', async () => {
    let now = NOW_SECONDS * 1000;
    const auth = authenticator({ clock: { now: () => new Date(now) }, discoveryRetryMs: 5_000 });
    const token = await signWith(key, claims());
    provider.failWith = 500;
    const before = provider.requests.discovery;
    try {
      expect(await refusal(auth.verify(token))).toBe('provider_unavailable');
      expect(await refusal(auth.verify(token))).toBe('provider_unavailable');
      expect(provider.requests.discovery - before).toBe(1);
    } finally {
      provider.failWith = null;
    }
    now += 5_000;
    expect((await auth.verify(token)).sub).toBe('user-1');
  });

  it('refuses a discovery document that names another issuer', async () => {
    provider.discoveryOverride = { issuer: 'https://other.example.com/', jwks_uri: provider.jwksUri };
    try {
      expect(await refusal(authenticator().verify(await signWith(key, claims())))).toBe('provider_unavailable');
    } finally {
      provider.discoveryOverride = null;
    }
  });

  it('refuses a plain-http jwks_uri off this machine', async () => {
    provider.discoveryOverride = { issuer: provider.issuer, jwks_uri: 'http://keys.example.com/jwks' };
    try {
      await expect(authenticator().discover()).rejects.toMatchObject({ reason: 'provider_unavailable' });
    } finally {
      provider.discoveryOverride = null;
    }
  });

  it('reports the provider unavailable when the key set cannot be fetched', async () => {
    const auth = authenticator({ jwksUri: provider.jwksUri.replace('/jwks', '/missing') });
    expect(await refusal(auth.verify(await signWith(key, claims())))).toBe('provider_unavailable');
  });
});

describe('OIDC configuration', () => {
  it.each(['not a URL', 'http://id.example.com/', 'ftp://id.example.com/'])('refuses the issuer %s', (issuer) => {
    expect(() => createOidcAuthenticator({ issuer, audience: AUDIENCE })).toThrow(OidcConfigurationError);
  });

  it('refuses an HMAC algorithm in the pinned list', () => {
    expect(() => createOidcAuthenticator({ issuer: 'https://id.example.com/', audience: AUDIENCE, algorithms: ['RS256', 'HS256'] })).toThrow(
      /public-key algorithms/,
    );
  });

  it('requires an audience', () => {
    expect(() => createOidcAuthenticator({ issuer: 'https://id.example.com/', audience: '' })).toThrow(/OIDC_AUDIENCE/);
  });
});
