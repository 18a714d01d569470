import type { Database } from '@reelpost/db';
import { startTikTokEmulator, type TikTokEmulator, type TikTokEmulatorOptions } from '@reelpost/tiktok/emulator';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach } from 'vitest';
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
  const now = deps.clock.now().getTime();
  const account = await deps.db
    .insertInto('instance_tiktok_credentials')
    .values({
      instance_id: instanceId,
      open_id: issued.open_id,
      username: user,
      display_name: user,
      scopes: issued.scope.split(','),
      access_token_encrypted: deps.tokens.encrypt(issued.access_token),
      refresh_token_encrypted: deps.tokens.encrypt(issued.refresh_token),
      access_token_expires_at: new Date(options.expired ? now - 1000 : now + issued.expires_in * 1000),
      refresh_token_expires_at: new Date(now + issued.refresh_expires_in * 1000),
      is_default: options.isDefault ?? true,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { account, accessToken: issued.access_token, refreshToken: issued.refresh_token };
}
