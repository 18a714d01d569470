import { describe, expect, it } from 'vitest';
import { NOW, NOW_SECONDS, signHs256 } from '../testing/identity-provider.js';
import type { Clock } from '../deps.js';
import { type Authenticator, AuthenticationError } from './authenticator.js';
import { createHs256Authenticator } from './hs256.js';
import { rememberVerifiedTokens } from './verified-tokens.js';

const SECRET = 'a-shared-secret-of-at-least-thirty-two-characters';
const AUDIENCE = 'reelpost-test';

function setup(ttlMs = 30_000) {
  let now = NOW.getTime();
  const clock: Clock = { now: () => new Date(now) };
  const hs256 = createHs256Authenticator({ secret: SECRET, audience: AUDIENCE, clock, clockToleranceSeconds: 0, label: 'test', source: 'tests' });
  let checks = 0;
  const counted: Authenticator = {
    description: hs256.description,
    verify: (token) => {
      checks += 1;
      return hs256.verify(token);
    },
  };
  return {
    authenticator: rememberVerifiedTokens(counted, { ttlMs, maxEntries: 100, clock }),
    advance: (ms: number) => (now += ms),
    checks: () => checks,
  };
}

const token = (expiresInSeconds: number) =>
  signHs256({ sub: 'user-1', aud: AUDIENCE, iat: NOW_SECONDS, exp: NOW_SECONDS + expiresInSeconds }, SECRET);

describe('rememberVerifiedTokens', () => {
  it('checks a token once and answers its next uses from memory', async () => {
    const { authenticator, checks } = setup();
    const bearer = await token(3600);
    const first = await authenticator.verify(bearer);
    expect(await authenticator.verify(bearer)).toEqual(first);
    expect(first).toMatchObject({ actor: 'user', sub: 'user-1' });
    expect(checks()).toBe(1);
  });

  it('checks the token again once the trust period is over', async () => {
    const { authenticator, advance, checks } = setup(30_000);
    const bearer = await token(3600);
    await authenticator.verify(bearer);
    advance(30_001);
    await authenticator.verify(bearer);
    expect(checks()).toBe(2);
  });

  it('never trusts a remembered token past its expiry: it is checked again and refused as expired', async () => {
    const { authenticator, advance } = setup(60_000);
    const bearer = await token(10);
    await authenticator.verify(bearer);
    advance(11_000);
    const refusal = await authenticator.verify(bearer).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AuthenticationError);
    expect((refusal as AuthenticationError).reason).toBe('expired');
  });

  it('does not remember refused tokens: each use is checked and refused with its reason', async () => {
    const { authenticator, checks } = setup();
    const forged = await signHs256({ sub: 'user-1', aud: AUDIENCE, exp: NOW_SECONDS + 3600 }, 'another-secret-of-at-least-thirty-two-characters');
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(authenticator.verify(forged)).rejects.toMatchObject({ reason: 'bad_signature' });
    }
    expect(checks()).toBe(2);
  });
});
