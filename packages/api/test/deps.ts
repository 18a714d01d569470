import type { Database } from '@reelpost/db';
import { createTikTokClient, type TikTokClient } from '@reelpost/tiktok';
import type { TikTokEmulator } from '@reelpost/tiktok-emulator';
import type { Kysely } from 'kysely';
import { createTokenCodec } from '../src/crypto/token-codec.js';
import { generateFernetKey } from '../src/crypto/fernet.js';
import { type AppDeps, systemClock } from '../src/deps.js';
import { defaultSettings } from '../src/settings.js';
import { createVideoUrlPolicy } from '../src/video/policy.js';
import type { Context, Session } from '../src/trpc.js';

// Dependencies for tests: the test's own database, a fresh encryption key, and a TikTok client pointed at the
// emulator when a test uses TikTok (at a closed port otherwise, so an unexpected call fails loudly).

export const REDIRECT_URI = 'http://127.0.0.1:3001/tiktok/callback';
const NOWHERE = 'http://127.0.0.1:9';

export function tikTokClientFor(emulator: TikTokEmulator | undefined): TikTokClient {
  return createTikTokClient({
    clientKey: emulator?.app.clientKey ?? 'test-client-key',
    clientSecret: emulator?.app.clientSecret ?? 'test-client-secret',
    redirectUri: REDIRECT_URI,
    apiBaseUrl: emulator?.url ?? NOWHERE,
    authBaseUrl: emulator?.url ?? NOWHERE,
    allowInsecureRequests: true,
    // Tests must not wait through real backoff; the API's own retry rules are tested with these off.
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    // The emulator's `timeout` fault holds a request open; tests should not wait TikTok's 30 s for it.
    timeoutMs: 1_500,
  });
}

/** Videos served by a test's own server on 127.0.0.1 (and nothing else) may be posted. */
export function testVideoPolicy(prefix = 'http://127.0.0.1/') {
  return createVideoUrlPolicy({ allowedPrefixes: [prefix], allowHttp: true, privateAddressAllowList: ['127.0.0.1'] });
}

export function testDeps(db: Kysely<Database>, overrides: Partial<AppDeps> & { emulator?: TikTokEmulator } = {}): AppDeps {
  const { emulator, ...rest } = overrides;
  const clock = rest.clock ?? systemClock;
  return {
    db,
    clock,
    tiktok: tikTokClientFor(emulator),
    tokens: createTokenCodec({ keys: [generateFernetKey()], clock }),
    settings: defaultSettings(testVideoPolicy()),
    ...rest,
  };
}

export function sessionFor(userId: string): Session {
  return { userId, sub: `sub-${userId}`, email: null, actor: 'user' };
}

export function contextFor(deps: AppDeps, session: Session | null): Context {
  return { ...deps, session, requestId: null };
}

/** A token sealed with a key the test deps do not hold, as after a key was dropped from ENCRYPTION_KEYS too early. */
export function sealedWithAnotherKey(plaintext: string): string {
  return createTokenCodec({ keys: [generateFernetKey()] }).encrypt(plaintext);
}
