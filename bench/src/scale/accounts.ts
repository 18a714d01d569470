import { createTokenCodec } from '@reelpost/api';
import type { OpenedDatabase } from '@reelpost/db';
import { systemClock } from '@reelpost/api';
import type { TikTokEmulatorControls } from '@reelpost/tiktok/emulator';

// The creators: one TikTok user per account in the emulator, connected the way a finished OAuth connect leaves
// them — tokens issued by the emulator, sealed with the workers' key — each in an instance of one bench user.

const CONNECT_AT_ONCE = 8;

export interface ScaleAccount {
  id: string;
  openId: string;
}

export async function connectAccounts(
  database: OpenedDatabase,
  emulator: TikTokEmulatorControls,
  options: { count: number; postsPerAccount: number; encryptionKey: string },
): Promise<{ userId: string; accounts: ScaleAccount[] }> {
  const { db } = database;
  const codec = createTokenCodec({ keys: [options.encryptionKey], clock: systemClock });
  const user = await db.insertInto('users').values({ sub: 'bench-scale', email: 'scale@bench.reelpost.dev' }).returning('id').executeTakeFirstOrThrow();
  const connectOne = async (n: number): Promise<ScaleAccount> => {
    // TikTok caps posts per creator per day (the emulator: 15 by default); these creators may post the run's share.
    const creator = await emulator.addUser({ username: `bench.creator.${n}`, dailyPostCap: options.postsPerAccount });
    const issued = await emulator.issueTokens(creator.openId);
    const instance = await db.insertInto('instances').values({ owner_id: user.id, name: `Scale ${n}` }).returning('id').executeTakeFirstOrThrow();
    const now = Date.now();
    const account = await db
      .insertInto('instance_tiktok_credentials')
      .values({
        instance_id: instance.id,
        open_id: issued.open_id,
        username: creator.username,
        display_name: creator.displayName,
        scopes: issued.scope.split(','),
        access_token_encrypted: codec.encrypt(issued.access_token),
        refresh_token_encrypted: codec.encrypt(issued.refresh_token),
        access_token_expires_at: new Date(now + issued.expires_in * 1000),
        refresh_token_expires_at: new Date(now + issued.refresh_expires_in * 1000),
        state: 'active',
        is_default: true,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: account.id, openId: issued.open_id };
  };
  const accounts: ScaleAccount[] = [];
  // A few at a time: the emulator's admin API and the pool both take concurrent calls.
  for (let start = 0; start < options.count; start += CONNECT_AT_ONCE) {
    const batch = Array.from({ length: Math.min(CONNECT_AT_ONCE, options.count - start) }, (_, i) => connectOne(start + i));
    accounts.push(...(await Promise.all(batch)));
  }
  return { userId: user.id, accounts };
}
