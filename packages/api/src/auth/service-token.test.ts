import { describe, expect, it } from 'vitest';
import { fixedClock, NOW_SECONDS, signHs256 } from '../testing/identity-provider.js';
import { AuthenticationError, type AuthenticationFailure } from './authenticator.js';
import {
  createServiceTokenAuthenticator,
  issueServiceToken,
  SERVICE_SCOPE,
  SERVICE_TOKEN_AUDIENCE,
  SERVICE_TOKEN_ISSUER,
} from './service-token.js';

const SECRET = 'service-secret-only-internal-services-hold-0123456789';
const services = createServiceTokenAuthenticator({ secret: SECRET, clock: fixedClock });

const serviceClaims = (extra: Record<string, unknown> = {}) => ({
  iss: SERVICE_TOKEN_ISSUER,
  aud: SERVICE_TOKEN_AUDIENCE,
  sub: 'user-sub-1',
  act: { sub: 'agent-runner' },
  scope: SERVICE_SCOPE,
  iat: NOW_SECONDS,
  exp: NOW_SECONDS + 300,
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

describe('service tokens', () => {
  it('issueServiceToken makes a token that acts for the user and names the service', async () => {
    const token = await issueServiceToken({ secret: SECRET, service: 'agent-runner', actForSub: 'user-sub-1', clock: fixedClock });
    expect(await services.verify(token)).toEqual({ actor: 'service', sub: 'user-sub-1', service: 'agent-runner' });
  });

  it('accepts a token minted elsewhere with the documented claims (another language, same secret)', async () => {
    const token = await signHs256(serviceClaims({ scope: `openid ${SERVICE_SCOPE}` }), SECRET);
    expect(await services.verify(token)).toMatchObject({ actor: 'service', service: 'agent-runner' });
  });

  it('refuses a token without the reelpost:act scope', async () => {
    expect(await refusal(services.verify(await signHs256(serviceClaims({ scope: 'read' }), SECRET)))).toBe('insufficient_scope');
  });

  it('refuses a token that does not name its service', async () => {
    expect(await refusal(services.verify(await signHs256(serviceClaims({ act: 'agent-runner' }), SECRET)))).toBe('invalid_claims');
  });

  it('refuses a token living longer than an hour', async () => {
    expect(await refusal(services.verify(await signHs256(serviceClaims({ exp: NOW_SECONDS + 7200 }), SECRET)))).toBe(
      'invalid_claims',
    );
  });

  it('refuses a token issued more than an hour ago', async () => {
    const stale = serviceClaims({ iat: NOW_SECONDS - 4000, exp: NOW_SECONDS + 60 });
    expect(await refusal(services.verify(await signHs256(stale, SECRET)))).toBe('expired');
  });

  it('refuses a token without iat', async () => {
    expect(await refusal(services.verify(await signHs256(serviceClaims({ iat: undefined }), SECRET)))).toBe('missing_claim');
  });

  it('refuses a token signed with another secret', async () => {
    const token = await signHs256(serviceClaims(), 'a-user-token-secret-that-is-long-enough-0000');
    expect(await refusal(services.verify(token))).toBe('bad_signature');
  });

  it('refuses a token for another audience or from another issuer', async () => {
    expect(await refusal(services.verify(await signHs256(serviceClaims({ aud: 'authenticated' }), SECRET)))).toBe('wrong_audience');
    expect(await refusal(services.verify(await signHs256(serviceClaims({ iss: 'reelpost-demo' }), SECRET)))).toBe('wrong_issuer');
  });

  it('issueServiceToken refuses lifetimes over an hour, bad service names and short secrets', async () => {
    const base = { secret: SECRET, service: 'agent-runner', actForSub: 'u' };
    await expect(issueServiceToken({ ...base, ttlSeconds: 3601 })).rejects.toThrow(RangeError);
    await expect(issueServiceToken({ ...base, service: 'has spaces' })).rejects.toThrow(RangeError);
    await expect(issueServiceToken({ ...base, secret: 'short' })).rejects.toThrow(/at least 32/);
  });
});
