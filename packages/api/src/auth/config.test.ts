import type { Database } from '@reelpost/db';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { fixedClock, NOW_SECONDS, signHs256 } from '../../test/identity-provider.js';
import { AuthConfigError, type AuthEnv, createAuthFromEnv } from './config.js';
import { issueServiceToken } from './service-token.js';

// These tests never reach the database: mode selection and token checks do not touch it.
const deps = { db: undefined as unknown as Kysely<Database>, clock: fixedClock };
const SUPABASE_SECRET = 'supabase-project-jwt-secret-0123456789abcdef';
const SERVICE_SECRET = 'internal-service-secret-0123456789abcdef-xyz';

function configError(env: AuthEnv, allowDemo = false): AuthConfigError {
  try {
    createAuthFromEnv(env, { ...deps, allowDemo });
  } catch (error) {
    expect(error).toBeInstanceOf(AuthConfigError);
    return error as AuthConfigError;
  }
  throw new Error('expected an AuthConfigError');
}

describe('choosing the auth mode from the environment', () => {
  it('OIDC_ISSUER + OIDC_AUDIENCE → OIDC, without touching the network until the first token', () => {
    const setup = createAuthFromEnv({ OIDC_ISSUER: 'https://id.example.com/', OIDC_AUDIENCE: 'reelpost' }, deps);
    expect(setup).toMatchObject({ mode: 'oidc', demo: null });
    expect(setup.description).toContain('https://id.example.com/');
  });

  it('SUPABASE_JWT_SECRET → Supabase, audience "authenticated" by default', async () => {
    const setup = createAuthFromEnv({ SUPABASE_JWT_SECRET: SUPABASE_SECRET }, deps);
    expect(setup.mode).toBe('supabase');
    await expect(setup.authenticator.verify(await signHs256({ aud: 'authenticated', sub: 'u' }, SUPABASE_SECRET))).resolves.toMatchObject({
      sub: 'u',
    });
  });

  it('SUPABASE_URL sets the issuer Supabase tokens must carry', async () => {
    const { authenticator } = createAuthFromEnv({ SUPABASE_JWT_SECRET: SUPABASE_SECRET, SUPABASE_URL: 'https://abcd.supabase.co/' }, deps);
    const right = await signHs256({ iss: 'https://abcd.supabase.co/auth/v1', aud: 'authenticated', sub: 'u' }, SUPABASE_SECRET);
    const wrong = await signHs256({ iss: 'https://efgh.supabase.co/auth/v1', aud: 'authenticated', sub: 'u' }, SUPABASE_SECRET);
    await expect(authenticator.verify(right)).resolves.toMatchObject({ sub: 'u' });
    await expect(authenticator.verify(wrong)).rejects.toMatchObject({ reason: 'wrong_issuer' });
  });

  it('SUPABASE_JWT_AUDIENCE overrides the audience', async () => {
    const { authenticator } = createAuthFromEnv({ SUPABASE_JWT_SECRET: SUPABASE_SECRET, SUPABASE_JWT_AUDIENCE: 'reelpost' }, deps);
    await expect(authenticator.verify(await signHs256({ aud: 'authenticated', sub: 'u' }, SUPABASE_SECRET))).rejects.toMatchObject({
      reason: 'wrong_audience',
    });
  });

  it('nothing configured → demo mode only when allowed, with a demo token issuer', () => {
    const setup = createAuthFromEnv({}, { ...deps, allowDemo: true });
    expect(setup.mode).toBe('demo');
    expect(setup.demo).not.toBeNull();
    expect(configError({}).message).toMatch(/No identity provider is configured: set OIDC_ISSUER and OIDC_AUDIENCE, or SUPABASE_JWT_SECRET/);
  });

  it('SERVICE_JWT_SECRET adds service tokens next to user tokens', async () => {
    const { authenticator } = createAuthFromEnv({ SUPABASE_JWT_SECRET: SUPABASE_SECRET, SERVICE_JWT_SECRET: SERVICE_SECRET }, deps);
    const service = await issueServiceToken({ secret: SERVICE_SECRET, service: 'worker', actForSub: 'u', clock: fixedClock });
    await expect(authenticator.verify(service)).resolves.toEqual({ actor: 'service', sub: 'u', service: 'worker' });
    await expect(authenticator.verify(await signHs256({ aud: 'authenticated', sub: 'u' }, SUPABASE_SECRET))).resolves.toMatchObject({
      actor: 'user',
    });
  });

  it('without SERVICE_JWT_SECRET, a service token is refused (checked as a user token, it fails the signature)', async () => {
    const { authenticator } = createAuthFromEnv({ SUPABASE_JWT_SECRET: SUPABASE_SECRET }, deps);
    const service = await issueServiceToken({ secret: SERVICE_SECRET, service: 'worker', actForSub: 'u', clock: fixedClock });
    await expect(authenticator.verify(service)).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('a user token claiming the service issuer is still checked as a service token', async () => {
    const { authenticator } = createAuthFromEnv({ SUPABASE_JWT_SECRET: SUPABASE_SECRET, SERVICE_JWT_SECRET: SERVICE_SECRET }, deps);
    const token = await signHs256(
      { iss: 'reelpost-internal', aud: 'reelpost-api', sub: 'u', act: { sub: 'x' }, scope: 'reelpost:act', iat: NOW_SECONDS },
      SUPABASE_SECRET,
    );
    await expect(authenticator.verify(token)).rejects.toMatchObject({ reason: 'bad_signature' });
  });
});

describe('refusing a wrong configuration', () => {
  it.each<[string, AuthEnv, RegExp]>([
    ['both providers', { OIDC_ISSUER: 'https://id.example.com/', OIDC_AUDIENCE: 'a', SUPABASE_JWT_SECRET: SUPABASE_SECRET }, /either OIDC_ISSUER or SUPABASE_JWT_SECRET/],
    ['OIDC without an audience', { OIDC_ISSUER: 'https://id.example.com/' }, /OIDC_AUDIENCE is required/],
    ['an http issuer off this machine', { OIDC_ISSUER: 'http://id.example.com/', OIDC_AUDIENCE: 'a' }, /https/],
    ['an http JWKS URL off this machine', { OIDC_ISSUER: 'https://id.example.com/', OIDC_AUDIENCE: 'a', OIDC_JWKS_URI: 'http://k.example.com/' }, /OIDC_JWKS_URI/],
    ['a short Supabase secret', { SUPABASE_JWT_SECRET: 'short-secret' }, /SUPABASE_JWT_SECRET must be at least 32/],
    ['a short service secret', { SUPABASE_JWT_SECRET: SUPABASE_SECRET, SERVICE_JWT_SECRET: 'short-service' }, /SERVICE_JWT_SECRET must be at least 32/],
    ['the same secret for users and services', { SUPABASE_JWT_SECRET: SUPABASE_SECRET, SERVICE_JWT_SECRET: SUPABASE_SECRET }, /must differ/],
  ])('%s', (_label, env, message) => {
    const error = configError(env);
    expect(error.message).toMatch(message);
    for (const secret of [env.SUPABASE_JWT_SECRET, env.SERVICE_JWT_SECRET].filter(Boolean)) {
      expect(error.message).not.toContain(secret);
    }
  });
});
