import type { Database } from '@reelpost/db';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { fixedClock, NOW_SECONDS, signHs256 } from '../testing/identity-provider.js';
import { AuthConfigError, type AuthSettings, createAuth } from './config.js';
import { issueServiceToken } from './service-token.js';

// These tests never reach the database: mode selection and token checks do not touch it.
const deps = { db: undefined as unknown as Kysely<Database>, clock: fixedClock };
const SUPABASE_SECRET = 'supabase-project-jwt-secret-0123456789abcdef';
const SERVICE_SECRET = 'internal-service-secret-0123456789abcdef-xyz';

function configError(settings: AuthSettings): AuthConfigError {
  try {
    createAuth(settings, deps);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthConfigError);
    return error as AuthConfigError;
  }
  throw new Error('expected an AuthConfigError');
}

describe('choosing the auth mode from the settings', () => {
  it('OIDC_ISSUER + OIDC_AUDIENCE → OIDC, without touching the network until the first token', () => {
    const setup = createAuth({ oidcIssuer: 'https://id.example.com/', oidcAudience: 'reelpost' }, deps);
    expect(setup).toMatchObject({ mode: 'oidc', demo: null });
    expect(setup.description).toContain('https://id.example.com/');
  });

  it('SUPABASE_JWT_SECRET → Supabase, audience "authenticated" by default', async () => {
    const setup = createAuth({ supabaseJwtSecret: SUPABASE_SECRET }, deps);
    expect(setup.mode).toBe('supabase');
    await expect(setup.authenticator.verify(await signHs256({ aud: 'authenticated', sub: 'u' }, SUPABASE_SECRET))).resolves.toMatchObject({
      sub: 'u',
    });
  });

  it('SUPABASE_URL sets the issuer Supabase tokens must carry', async () => {
    const { authenticator } = createAuth({ supabaseJwtSecret: SUPABASE_SECRET, supabaseUrl: 'https://abcd.supabase.co/' }, deps);
    const right = await signHs256({ iss: 'https://abcd.supabase.co/auth/v1', aud: 'authenticated', sub: 'u' }, SUPABASE_SECRET);
    const wrong = await signHs256({ iss: 'https://efgh.supabase.co/auth/v1', aud: 'authenticated', sub: 'u' }, SUPABASE_SECRET);
    await expect(authenticator.verify(right)).resolves.toMatchObject({ sub: 'u' });
    await expect(authenticator.verify(wrong)).rejects.toMatchObject({ reason: 'wrong_issuer' });
  });

  it('SUPABASE_JWT_AUDIENCE overrides the audience', async () => {
    const { authenticator } = createAuth({ supabaseJwtSecret: SUPABASE_SECRET, supabaseJwtAudience: 'reelpost' }, deps);
    await expect(authenticator.verify(await signHs256({ aud: 'authenticated', sub: 'u' }, SUPABASE_SECRET))).rejects.toMatchObject({
      reason: 'wrong_audience',
    });
  });

  it('nothing configured → demo mode only when allowed, with a demo token issuer', () => {
    const setup = createAuth({ allowDemo: true }, deps);
    expect(setup.mode).toBe('demo');
    expect(setup.demo).not.toBeNull();
    expect(configError({}).message).toMatch(/No identity provider is configured: set OIDC_ISSUER and OIDC_AUDIENCE, or SUPABASE_JWT_SECRET/);
  });

  it('SERVICE_JWT_SECRET adds service tokens next to user tokens', async () => {
    const { authenticator } = createAuth({ supabaseJwtSecret: SUPABASE_SECRET, serviceJwtSecret: SERVICE_SECRET }, deps);
    const service = await issueServiceToken({ secret: SERVICE_SECRET, service: 'worker', actForSub: 'u', clock: fixedClock });
    await expect(authenticator.verify(service)).resolves.toEqual({ actor: 'service', sub: 'u', service: 'worker' });
    await expect(authenticator.verify(await signHs256({ aud: 'authenticated', sub: 'u' }, SUPABASE_SECRET))).resolves.toMatchObject({
      actor: 'user',
    });
  });

  it('without SERVICE_JWT_SECRET, a service token is refused (checked as a user token, it fails the signature)', async () => {
    const { authenticator } = createAuth({ supabaseJwtSecret: SUPABASE_SECRET }, deps);
    const service = await issueServiceToken({ secret: SERVICE_SECRET, service: 'worker', actForSub: 'u', clock: fixedClock });
    await expect(authenticator.verify(service)).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('a user token claiming the service issuer is still checked as a service token', async () => {
    const { authenticator } = createAuth({ supabaseJwtSecret: SUPABASE_SECRET, serviceJwtSecret: SERVICE_SECRET }, deps);
    const token = await signHs256(
      { iss: 'reelpost-internal', aud: 'reelpost-api', sub: 'u', act: { sub: 'x' }, scope: 'reelpost:act', iat: NOW_SECONDS },
      SUPABASE_SECRET,
    );
    await expect(authenticator.verify(token)).rejects.toMatchObject({ reason: 'bad_signature' });
  });
});

describe('refusing a wrong configuration', () => {
  it.each<[string, AuthSettings, RegExp]>([
    ['both providers', { oidcIssuer: 'https://id.example.com/', oidcAudience: 'a', supabaseJwtSecret: SUPABASE_SECRET }, /either OIDC_ISSUER or SUPABASE_JWT_SECRET/],
    ['OIDC without an audience', { oidcIssuer: 'https://id.example.com/' }, /OIDC_AUDIENCE is required/],
    ['an http issuer off this machine', { oidcIssuer: 'http://id.example.com/', oidcAudience: 'a' }, /https/],
    ['an http JWKS URL off this machine', { oidcIssuer: 'https://id.example.com/', oidcAudience: 'a', oidcJwksUri: 'http://k.example.com/' }, /OIDC_JWKS_URI/],
    ['a short Supabase secret', { supabaseJwtSecret: 'short-secret' }, /SUPABASE_JWT_SECRET must be at least 32/],
    ['a short service secret', { supabaseJwtSecret: SUPABASE_SECRET, serviceJwtSecret: 'short-service' }, /SERVICE_JWT_SECRET must be at least 32/],
    ['the same secret for users and services', { supabaseJwtSecret: SUPABASE_SECRET, serviceJwtSecret: SUPABASE_SECRET }, /must differ/],
  ])('%s', (_label, settings, message) => {
    const error = configError(settings);
    expect(error.message).toMatch(message);
    for (const secret of [settings.supabaseJwtSecret, settings.serviceJwtSecret].filter(Boolean)) {
      expect(error.message).not.toContain(secret);
    }
  });
});
