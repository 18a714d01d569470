import { describe, expect, it } from 'vitest';
import { fixedClock, newSigningKey, NOW_SECONDS, signHs256, signWith, unsignedToken } from '../testing/identity-provider.js';
import { AuthenticationError, type AuthenticationFailure } from './authenticator.js';
import { createHs256Authenticator, SUPABASE_DEFAULT_AUDIENCE } from './hs256.js';

// Supabase-style: the project's JWT secret signs access tokens with HS256, audience "authenticated".
const SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
const ISSUER = 'https://abcd.supabase.co/auth/v1';

function supabase(issuer?: string) {
  return createHs256Authenticator({
    secret: SECRET,
    audience: SUPABASE_DEFAULT_AUDIENCE,
    issuer,
    clock: fixedClock,
    label: 'Supabase',
    source: 'Supabase Auth',
  });
}

const userClaims = (extra: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: 'authenticated',
  sub: '8b5e3c1e-0f43-4a51-9a57-0f6c2b2f3a10',
  email: 'ana@example.com',
  role: 'authenticated',
  ...extra,
});

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

describe('Supabase HS256: tokens it accepts', () => {
  it('verifies a Supabase access token and reads sub and email', async () => {
    expect(await supabase().verify(await signHs256(userClaims(), SECRET))).toEqual({
      actor: 'user',
      sub: '8b5e3c1e-0f43-4a51-9a57-0f6c2b2f3a10',
      email: 'ana@example.com',
    });
  });

  it('accepts a token without an email', async () => {
    expect(await supabase().verify(await signHs256(userClaims({ email: undefined }), SECRET))).toMatchObject({ email: null });
  });

  it('checks the issuer when one is configured', async () => {
    expect((await supabase(ISSUER).verify(await signHs256(userClaims(), SECRET))).sub).toBeTruthy();
  });
});

describe('Supabase HS256: tokens it refuses', () => {
  it('a token signed with another secret', async () => {
    const token = await signHs256(userClaims(), 'another-secret-that-is-also-long-enough-123');
    expect(await refusal(supabase().verify(token))).toBe('bad_signature');
  });

  it('an expired token', async () => {
    expect(await refusal(supabase().verify(await signHs256(userClaims({ exp: NOW_SECONDS - 3600 }), SECRET)))).toBe('expired');
  });

  it('a token not valid yet', async () => {
    expect(await refusal(supabase().verify(await signHs256(userClaims({ nbf: NOW_SECONDS + 3600 }), SECRET)))).toBe(
      'not_yet_valid',
    );
  });

  it('a token for another audience', async () => {
    expect(await refusal(supabase().verify(await signHs256(userClaims({ aud: 'anon' }), SECRET)))).toBe('wrong_audience');
  });

  it('a token from another project when the issuer is configured', async () => {
    const token = await signHs256(userClaims({ iss: 'https://other.supabase.co/auth/v1' }), SECRET);
    expect(await refusal(supabase(ISSUER).verify(token))).toBe('wrong_issuer');
  });

  it("the project's anon key (no sub, no audience)", async () => {
    const anonKey = await signHs256({ iss: 'supabase', ref: 'abcd', role: 'anon', exp: NOW_SECONDS + 10 * 365 * 86400 }, SECRET);
    expect(await refusal(supabase().verify(anonKey))).toMatch(/missing_claim|wrong_audience/);
  });

  it('alg: none', async () => {
    expect(await refusal(supabase().verify(unsignedToken(userClaims())))).toBe('algorithm_not_allowed');
  });

  it('an RS256 token, even with every claim right (RS/HS confusion)', async () => {
    const key = await newSigningKey('k');
    expect(await refusal(supabase().verify(await signWith(key, userClaims())))).toBe('algorithm_not_allowed');
  });

  it('HS512 with the right secret: only HS256 is pinned', async () => {
    expect(await refusal(supabase().verify(await signHs256(userClaims(), SECRET, { alg: 'HS512' })))).toBe(
      'algorithm_not_allowed',
    );
  });
});
