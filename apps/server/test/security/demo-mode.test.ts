import { generateFernetKey } from '@reelpost/api';
import { createTestDatabase } from '@reelpost/db/testing';
import { signTikTokWebhook } from '@reelpost/tiktok';
import { describe, expect, it } from 'vitest';
import { ConfigError, isDemoMode, listenHostOf, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startRuntime } from '../../src/runtime.js';
import { demoSignIn, useSecurityServer } from './harness.js';

// Issue 17, finding 1 (demo mode fails open) and finding 6 (forgeable demo webhooks). On main's code: a server with
// DATABASE_URL and no TikTok key ran demo mode on 0.0.0.0, started against a database of real users, and
// `POST /dev/token` minted a token for any user whose e-mail matched; the in-process emulator signed webhooks with
// the public default secret `emulator-client-secret`. Every test here fails there.

describe('demo mode is chosen explicitly, never because a TikTok key is missing', () => {
  it('is the default only when nothing production-like is set (a fresh clone’s `npm start`)', () => {
    expect(isDemoMode(loadConfig({}))).toBe(true);
    expect(isDemoMode(loadConfig({ REELPOST_DEMO: '1', DATABASE_URL: 'postgres://db/reelpost' }))).toBe(true);
  });

  it('refuses DATABASE_URL without a TikTok app unless REELPOST_DEMO=1 asks for the demo by name', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/reelpost' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/reelpost' })).toThrow(/REELPOST_DEMO=1/);
  });

  it('refuses REELPOST_DEMO=1 beside a real TikTok app, and REELPOST_DEMO=0 without one', () => {
    expect(() => loadConfig({ REELPOST_DEMO: '1', TIKTOK_CLIENT_KEY: 'key', TIKTOK_CLIENT_SECRET: 'secret' })).toThrow(/REELPOST_DEMO/);
    expect(() => loadConfig({ REELPOST_DEMO: '0' })).toThrow(/TIKTOK_CLIENT_KEY/);
  });

  it('listens on loopback in demo mode unless HOST says otherwise; a deployment listens everywhere', () => {
    expect(listenHostOf(loadConfig({}))).toBe('127.0.0.1');
    expect(listenHostOf(loadConfig({ HOST: '0.0.0.0' }))).toBe('0.0.0.0');
    expect(listenHostOf(loadConfig({ TIKTOK_CLIENT_KEY: 'key', TIKTOK_CLIENT_SECRET: 'secret' }))).toBe('0.0.0.0');
  });
});

describe('demo mode refuses a database holding users it did not create', { timeout: 60_000 }, () => {
  it('stops at start-up, saying how many (never who), and serves nothing', async () => {
    const database = await createTestDatabase();
    try {
      await database.db.insertInto('users').values({ sub: 'oidc|a-real-person', email: 'real@example.com' }).execute();
      const env = {
        DATABASE_URL: database.url,
        REELPOST_DEMO: '1',
        PORT: '0',
        WORKER: 'off',
        ENCRYPTION_KEY: generateFernetKey(),
        DEMO_JWT_SECRET: 'demo-mode-test-secret-0123456789abcdef',
      };
      const started = startRuntime({ config: loadConfig(env), logger: createLogger({ level: 'silent' }), role: 'server' });
      const error = (await started.then(() => null, (failure: unknown) => failure)) as Error | null;
      expect(error?.message).toMatch(/^Demo mode refuses this database: it holds 1 user\(s\) that demo mode did not create\./);
      expect(error?.message).not.toContain('real@example.com');
    } finally {
      await database.drop();
    }
  });
});

describe('a running demo', { timeout: 60_000 }, () => {
  const server = useSecurityServer();

  it('mints tokens only for demo users: a real user added while it runs is never signed in by e-mail', async () => {
    const { db } = server().runtime.deps;
    const real = await db.insertInto('users').values({ sub: 'oidc|added-later', email: 'later@example.com' }).returning('id').executeTakeFirstOrThrow();
    const { userId } = await demoSignIn(server(), 'later@example.com');
    expect(userId).not.toBe(real.id);
    const minted = await db.selectFrom('users').select('sub').where('id', '=', userId).executeTakeFirstOrThrow();
    expect(minted.sub).toBe('demo|later@example.com');
  });

  it('refuses webhooks signed with the emulator’s public default secret (its secret is made per start)', async () => {
    const { clientKey } = await server().tiktok.configureApp({});
    const body = JSON.stringify({ client_key: clientKey, event: 'authorization.removed', create_time: Math.floor(Date.now() / 1000), user_openid: '-000demo-reelpost-creator', content: '{}' });
    const signature = signTikTokWebhook({ rawBody: body, clientSecret: 'emulator-client-secret', timestamp: Math.floor(Date.now() / 1000) });
    const response = await server().request('/webhooks/tiktok', { method: 'POST', headers: { 'content-type': 'application/json', 'tiktok-signature': signature }, body });
    expect(response.status).toBe(401);
    const accounts = await server().runtime.deps.db.selectFrom('instance_tiktok_credentials').select('state').execute();
    expect(accounts.every((account) => account.state === 'active')).toBe(true);
  });
});
