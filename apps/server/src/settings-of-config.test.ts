import { defaultSettings, generateFernetKey } from '@reelpost/api';
import { tokenCodecRefusal } from '@reelpost/api/testing/token-codec';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { appSettingsOf, authSettingsOf, encryptionKeysOf, needsDemoSecrets, videoUrlPolicyOf } from './settings-of-config.js';

const BUCKET = 'https://proj.supabase.co/storage/v1/object/public/videos/';
const SERVER_URL = 'http://localhost:3001';
/** A production set-up, its TikTok an emulator (so http video URLs may be allowed). */
const APP = { TIKTOK_CLIENT_KEY: 'key', TIKTOK_CLIENT_SECRET: 'secret', TIKTOK_API_BASE_URL: 'http://127.0.0.1:4100' };
const demoSecrets = { encryptionKey: generateFernetKey(), demoJwtSecret: 'generated-demo-secret-0123456789abcdef' };

describe('encryption keys', () => {
  const [a, b] = [generateFernetKey(), generateFernetKey()];

  it('reads ENCRYPTION_KEYS newest first, trimming spaces and dropping duplicates', () => {
    expect(encryptionKeysOf(loadConfig({ ENCRYPTION_KEYS: ` ${a} , ${b},${a}` }))).toEqual([a, b]);
  });

  it('refuses a configuration without keys', () => {
    expect(tokenCodecRefusal(() => encryptionKeysOf(loadConfig({ ENCRYPTION_KEYS: ' , ' }))).reason).toBe('no_keys');
  });

  it('uses demo mode’s own key only when none is configured', () => {
    expect(encryptionKeysOf(loadConfig({}), demoSecrets)).toEqual([demoSecrets.encryptionKey]);
    expect(encryptionKeysOf(loadConfig({ ENCRYPTION_KEY: a }), demoSecrets)).toEqual([a]);
  });
});

describe('demo mode’s generated secrets', () => {
  it('are needed in demo mode unless both a key and DEMO_JWT_SECRET are configured, and never outside it', () => {
    expect(needsDemoSecrets(loadConfig({}))).toBe(true);
    expect(needsDemoSecrets(loadConfig({ ENCRYPTION_KEY: generateFernetKey() }))).toBe(true);
    expect(needsDemoSecrets(loadConfig({ ENCRYPTION_KEY: generateFernetKey(), DEMO_JWT_SECRET: demoSecrets.demoJwtSecret }))).toBe(false);
    expect(needsDemoSecrets(loadConfig(APP))).toBe(false);
  });

  it('sign demo tokens unless DEMO_JWT_SECRET is set, and only demo mode allows demo tokens', () => {
    expect(authSettingsOf(loadConfig({}), demoSecrets)).toMatchObject({ allowDemo: true, demoJwtSecret: demoSecrets.demoJwtSecret });
    expect(authSettingsOf(loadConfig({ DEMO_JWT_SECRET: 'configured-demo-secret-0123456789abcdef' }), demoSecrets).demoJwtSecret).toBe(
      'configured-demo-secret-0123456789abcdef',
    );
    expect(authSettingsOf(loadConfig(APP)).allowDemo).toBe(false);
  });
});

describe('sign-in settings', () => {
  it('carries each sign-in variable to the field of the same name', () => {
    const config = loadConfig({ ...APP, OIDC_ISSUER: 'https://id.example.com/', OIDC_AUDIENCE: 'reelpost', SERVICE_JWT_SECRET: 'service' });
    expect(authSettingsOf(config)).toMatchObject({ oidcIssuer: 'https://id.example.com/', oidcAudience: 'reelpost', serviceJwtSecret: 'service' });
  });
});

describe('the video URL policy', () => {
  it('reads comma-separated prefixes and the switches', () => {
    const policy = videoUrlPolicyOf(
      loadConfig({
        ...APP,
        VIDEO_URL_PREFIXES: ` ${BUCKET} , http://127.0.0.1:3001/demo-media/`,
        VIDEO_URL_ALLOW_HTTP: 'true',
        VIDEO_URL_ALLOW_PRIVATE_ADDRESSES: '1',
        VIDEO_URL_PRIVATE_ALLOW_LIST: '127.0.0.1,::1',
        VIDEO_MAX_BYTES: '1000',
      }),
      SERVER_URL,
    );
    expect(policy.allowedPrefixes.map((prefix) => prefix.href)).toEqual([BUCKET, 'http://127.0.0.1:3001/demo-media/']);
    expect(policy).toMatchObject({ allowHttp: true, allowPrivateAddresses: true, maxBytes: 1000 });
    expect(policy.privateAddressAllowList).toHaveLength(2);
  });

  it('allows SUPABASE_URL’s public storage when no prefix is configured', () => {
    const policy = videoUrlPolicyOf(loadConfig({ ...APP, SUPABASE_URL: 'https://proj.supabase.co/' }), SERVER_URL);
    expect(policy.allowedPrefixes.map((prefix) => prefix.href)).toEqual(['https://proj.supabase.co/storage/v1/object/public/']);
  });

  it('refuses to start outside demo mode without a prefix, naming VIDEO_URL_PREFIXES', () => {
    expect(() => videoUrlPolicyOf(loadConfig(APP), SERVER_URL)).toThrow(ConfigError);
    expect(() => videoUrlPolicyOf(loadConfig(APP), SERVER_URL)).toThrow(/VIDEO_URL_PREFIXES/);
  });

  it('in demo mode allows only the demo’s own media, on this machine', () => {
    const policy = videoUrlPolicyOf(loadConfig({ VIDEO_URL_PREFIXES: BUCKET }), SERVER_URL);
    expect(policy.allowedPrefixes.map((prefix) => prefix.href)).toEqual([`${SERVER_URL}/demo-media/`]);
    expect(policy).toMatchObject({ allowHttp: true, allowPrivateAddresses: false });
  });
});

describe('the API’s settings', () => {
  it('take what the configuration sets and keep TikTok’s defaults for the rest', () => {
    const video = videoUrlPolicyOf(loadConfig({}), SERVER_URL);
    const defaults = defaultSettings(video);
    const settings = appSettingsOf(
      loadConfig({ TIKTOK_SANDBOX_MODE: 'true', TIKTOK_RATE_LIMIT_WINDOW_MS: '20000', TIKTOK_PENDING_CONNECTS_PER_USER: '2', POSTING_LEASE_MS: '5000' }),
      video,
    );
    expect(settings.tiktok).toEqual({ ...defaults.tiktok, sandboxMode: true, rateLimitWindowMs: 20_000, pendingConnectsPerUser: 2 });
    expect(settings.posting).toEqual({ ...defaults.posting, leaseMs: 5_000 });
    expect(settings.video).toBe(video);
  });
});
