import { createTokenCodec, demoSubFor, storeConnectedAccount, systemClock } from '@reelpost/api';
import type { OpenedDatabase } from '@reelpost/db';
import { tokenSetFromResponse } from '@reelpost/tiktok';
import type { TikTokEmulatorControls } from '@reelpost/tiktok-emulator';

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
  const deps = { db, tokens: createTokenCodec({ keys: [options.encryptionKey], clock: systemClock }), clock: systemClock };
  const user = await db.insertInto('users').values({ sub: demoSubFor('scale@bench.reelpost.dev'), email: 'scale@bench.reelpost.dev' }).returning('id').executeTakeFirstOrThrow();
  const connectOne = async (n: number): Promise<ScaleAccount> => {
    // TikTok caps posts per creator per day (the emulator: 15 by default); these creators may post the run's share.
    const creator = await emulator.addUser({ username: `bench.creator.${n}`, dailyPostCap: options.postsPerAccount });
    const issued = await emulator.issueTokens(creator.openId);
    const instance = await db.insertInto('instances').values({ owner_id: user.id, name: `Scale ${n}` }).returning('id').executeTakeFirstOrThrow();
    const tokens = tokenSetFromResponse(issued, Date.now());
    const account = await storeConnectedAccount(deps, { instanceId: instance.id, tokens, profile: creator });
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
