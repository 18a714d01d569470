import { createDatabase } from '@reelpost/db';
import { useTestDatabase } from '@reelpost/db/testing';
import { describe, expect, it } from 'vitest';
import { sealedWithAnotherKey, testDeps } from '../../test/deps.js';
import { connectedAccount, ownerWithInstance, useEmulator } from '../../test/tiktok.js';
import { AppError } from '../errors.js';
import { getAccessToken } from './access-token.js';

const database = useTestDatabase();
const emulator = useEmulator();

function deps() {
  return testDeps(database().db, { emulator: emulator() });
}

async function expiredAccount(sharedDeps = deps()) {
  const { instance } = await ownerWithInstance(sharedDeps.db);
  return { deps: sharedDeps, ...(await connectedAccount(sharedDeps, emulator(), instance.id, { expired: true })) };
}

async function stored(accountId: string) {
  return database()
    .db.selectFrom('instance_tiktok_credentials')
    .selectAll()
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
}

describe('getAccessToken', () => {
  it('returns the stored token while it has time left, without calling TikTok', async () => {
    const shared = deps();
    const { instance } = await ownerWithInstance(shared.db);
    const { account, accessToken } = await connectedAccount(shared, emulator(), instance.id);

    expect((await getAccessToken(shared, account.id)).accessToken).toBe(accessToken);
    expect(await emulator().calls({ endpoint: 'oauth.token' })).toBe(0);
  });

  it('refreshes an expired token exactly once for 50 concurrent callers in two processes', async () => {
    const { deps: first, account } = await expiredAccount();
    // A second pool (and its own client) stands for a second server process.
    const secondPool = createDatabase({ url: database().url, max: 10 });
    try {
      const second = { ...first, db: secondPool.db };
      const tokens = await Promise.all(
        Array.from({ length: 50 }, (_, i) => getAccessToken(i % 2 === 0 ? first : second, account.id)),
      );
      expect(await emulator().calls({ endpoint: 'oauth.token' })).toBe(1);
      expect(new Set(tokens.map((token) => token.accessToken)).size).toBe(1);
      expect(tokens[0]!.expiresAt.getTime()).toBeGreaterThan(Date.now());
    } finally {
      await secondPool.close();
    }
  });

  it('stores the rotated refresh token; the old one no longer works', async () => {
    const { deps: shared, account, refreshToken } = await expiredAccount();
    await getAccessToken(shared, account.id);

    const row = await stored(account.id);
    const rotated = shared.tokens.decrypt(row.refresh_token_encrypted!);
    expect(rotated).not.toBe(refreshToken);
    await expect(shared.tiktok.refreshAccessToken(refreshToken)).rejects.toMatchObject({ code: 'invalid_grant' });
    await expect(shared.tiktok.refreshAccessToken(rotated)).resolves.toMatchObject({ openId: account.open_id });
  });

  it('marks the account needs_reauth when TikTok answers invalid_grant', async () => {
    const { deps: shared, account } = await expiredAccount();
    await emulator().revokeAuthorization(account.open_id);

    const failure = await getAccessToken(shared, account.id).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ appCode: 'ACCOUNT_NEEDS_REAUTH', hint: expect.stringContaining('Reconnect') as string });
    expect((await stored(account.id)).state).toBe('needs_reauth');
  });

  it('refuses an account needing reconnection without calling TikTok', async () => {
    const { deps: shared, account } = await expiredAccount();
    await shared.db.updateTable('instance_tiktok_credentials').set({ state: 'needs_reauth' }).where('id', '=', account.id).execute();

    await expect(getAccessToken(shared, account.id)).rejects.toMatchObject({ appCode: 'ACCOUNT_NEEDS_REAUTH' });
    expect(await emulator().calls({ endpoint: 'oauth.token' })).toBe(0);
  });

  it('leaves the stored tokens untouched when TikTok fails for a while', async () => {
    const { deps: shared, account } = await expiredAccount();
    const before = await stored(account.id);
    await emulator().failNext('oauth.token', { kind: 'error', status: 503, code: 'temporarily_unavailable', count: 4 });

    await expect(getAccessToken(shared, account.id)).rejects.toMatchObject({ appCode: 'TIKTOK_UNAVAILABLE' });
    const after = await stored(account.id);
    expect(after.refresh_token_encrypted).toBe(before.refresh_token_encrypted);
    expect(after.state).toBe('active');
  });

  it('marks the account needs_reauth when its refresh token has expired, without calling TikTok', async () => {
    const { deps: shared, account } = await expiredAccount();
    await shared.db
      .updateTable('instance_tiktok_credentials')
      .set({ refresh_token_expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', account.id)
      .execute();

    await expect(getAccessToken(shared, account.id)).rejects.toMatchObject({ appCode: 'ACCOUNT_NEEDS_REAUTH' });
    expect(await emulator().calls({ endpoint: 'oauth.token' })).toBe(0);
    expect((await stored(account.id)).state).toBe('needs_reauth');
  });

  it('refuses tokens no key can open with ACCOUNT_NEEDS_REAUTH, leaving the account as it was', async () => {
    const shared = deps();
    const { instance } = await ownerWithInstance(shared.db);
    const { account } = await connectedAccount(shared, emulator(), instance.id);
    await shared.db.updateTable('instance_tiktok_credentials').set({ access_token_encrypted: sealedWithAnotherKey('old') }).where('id', '=', account.id).execute();

    const refused = await getAccessToken(shared, account.id).catch((error: unknown) => error);
    expect(refused).toMatchObject({ appCode: 'ACCOUNT_NEEDS_REAUTH' });
    expect((refused as AppError).hint).toMatch(/ENCRYPTION_KEYS/);
    expect((await stored(account.id)).state).toBe('active');
  });

  it('refuses a refresh token no key can open without calling TikTok', async () => {
    const { deps: shared, account } = await expiredAccount();
    await shared.db.updateTable('instance_tiktok_credentials').set({ refresh_token_encrypted: sealedWithAnotherKey('old') }).where('id', '=', account.id).execute();

    await expect(getAccessToken(shared, account.id)).rejects.toMatchObject({ appCode: 'ACCOUNT_NEEDS_REAUTH' });
    expect(await emulator().calls({ endpoint: 'oauth.token' })).toBe(0);
  });

  it('answers 404 for an account that does not exist', async () => {
    await expect(getAccessToken(deps(), '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ appCode: 'ACCOUNT_NOT_FOUND' });
  });
});
