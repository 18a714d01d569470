import type { Database } from '@reelpost/db';
import { tokenSetFromResponse } from '@reelpost/tiktok';
import { startTikTokEmulator, type TikTokEmulator, type TikTokEmulatorOptions } from '@reelpost/tiktok-emulator';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { storeConnectedAccount } from '../src/accounts/store.js';
import type { AppDeps } from '../src/deps.js';
import { REDIRECT_URI } from './deps.js';

/** A local TikTok for the calling test file: started once, reset before each test, stopped at the end. */
export function useEmulator(options: TikTokEmulatorOptions = {}): () => TikTokEmulator {
  let emulator: TikTokEmulator | undefined;
  beforeAll(async () => {
    emulator = await startTikTokEmulator({
      ...options,
      app: { redirectUris: [REDIRECT_URI], ...options.app },
    });
  });
  beforeEach(async () => {
    await emulator?.reset();
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  return () => {
    if (!emulator) throw new Error('useEmulator(): only available inside tests and hooks');
    return emulator;
  };
}

export async function ownerWithInstance(db: Kysely<Database>, label = 'owner') {
  const user = await db
    .insertInto('users')
    .values({ sub: `sub-${label}-${Math.random().toString(36).slice(2)}`, email: `${label}@example.com` })
    .returningAll()
    .executeTakeFirstOrThrow();
  const instance = await db.insertInto('instances').values({ owner_id: user.id, name: `${label}'s instance` }).returningAll().executeTakeFirstOrThrow();
  return { user, instance };
}

/**
 * An account connected the quick way: tokens issued by the emulator for one of its users, sealed and stored as the
 * OAuth callback would. `expired` backdates the access token's expiry so the next use must refresh.
 */
export async function connectedAccount(
  deps: Pick<AppDeps, 'db' | 'tokens' | 'clock'>,
  emulator: TikTokEmulator,
  instanceId: string,
  options: { user?: string; isDefault?: boolean; expired?: boolean } = {},
) {
  const [first] = await emulator.users();
  const user = options.user ?? first!.username;
  const issued = await emulator.issueTokens(user);
  const tokens = tokenSetFromResponse(issued, deps.clock.now().getTime());
  if (options.expired) tokens.accessTokenExpiresAt = new Date(deps.clock.now().getTime() - 1000);
  const account = await storeConnectedAccount(deps, {
    instanceId,
    tokens,
    profile: { username: user, displayName: user },
    isDefault: options.isDefault,
  });
  return { account, accessToken: issued.access_token, refreshToken: issued.refresh_token };
}
