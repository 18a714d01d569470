import { useTestDatabase } from '@reelpost/db/testing';
import { describe, expect, it } from 'vitest';
import { contextFor, sealedWithAnotherKey, sessionFor, testDeps } from '../../test/deps.js';
import { connectedAccount, ownerWithInstance, useEmulator } from '../../test/tiktok.js';
import { createCaller } from '../root.js';
import { refreshExpiringTokens } from './refresher.js';

const database = useTestDatabase();
const emulator = useEmulator();

async function setup(label = 'owner') {
  const deps = testDeps(database().db, { emulator: emulator() });
  const { user, instance } = await ownerWithInstance(deps.db, label);
  const caller = createCaller(contextFor(deps, sessionFor(user.id)));
  return { deps, user, instance, caller };
}

async function secondUsername() {
  const [, second] = await emulator().users();
  return second!.username;
}

describe('tiktok.accounts', () => {
  it('lists the caller’s accounts, default first, without any token', async () => {
    const { deps, instance, caller } = await setup();
    const first = await connectedAccount(deps, emulator(), instance.id, { isDefault: false });
    const second = await connectedAccount(deps, emulator(), instance.id, { user: await secondUsername(), isDefault: true });

    const accounts = await caller.tiktok.accounts();
    expect(accounts.map((account) => account.id)).toEqual([second.account.id, first.account.id]);
    const text = JSON.stringify(accounts);
    for (const secret of [first.accessToken, first.refreshToken, second.accessToken, second.refreshToken]) expect(text).not.toContain(secret);
    expect(text).not.toContain('gAAAA');
  });

  it('shows nobody else’s accounts', async () => {
    const { deps, instance } = await setup('alice');
    await connectedAccount(deps, emulator(), instance.id);
    const { caller: bob } = await setup('bob');
    expect(await bob.tiktok.accounts()).toEqual([]);
  });

  it('refuses to list another user’s instance', async () => {
    const { instance } = await setup('alice');
    const { caller: bob } = await setup('bob');
    await expect(bob.tiktok.accounts({ instanceId: instance.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('tiktok.setDefaultAccount', () => {
  it('moves the default, leaving exactly one', async () => {
    const { deps, instance, caller } = await setup();
    await connectedAccount(deps, emulator(), instance.id, { isDefault: true });
    const other = await connectedAccount(deps, emulator(), instance.id, { user: await secondUsername(), isDefault: false });

    expect(await caller.tiktok.setDefaultAccount({ accountId: other.account.id })).toMatchObject({ isDefault: true });
    const defaults = (await caller.tiktok.accounts()).filter((account) => account.isDefault);
    expect(defaults.map((account) => account.id)).toEqual([other.account.id]);
  });

  it('refuses an account that must be reconnected first', async () => {
    const { deps, instance, caller } = await setup();
    const { account } = await connectedAccount(deps, emulator(), instance.id, { isDefault: false });
    await deps.db.updateTable('instance_tiktok_credentials').set({ state: 'needs_reauth' }).where('id', '=', account.id).execute();
    await expect(caller.tiktok.setDefaultAccount({ accountId: account.id })).rejects.toMatchObject({ appCode: 'ACCOUNT_NEEDS_REAUTH' });
  });

  it('answers 404 for an unknown account and 403 for another user’s', async () => {
    const { deps, instance } = await setup('alice');
    const { account } = await connectedAccount(deps, emulator(), instance.id);
    const { caller: bob } = await setup('bob');
    await expect(bob.tiktok.setDefaultAccount({ accountId: account.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(bob.tiktok.setDefaultAccount({ accountId: '00000000-0000-4000-8000-000000000001' })).rejects.toMatchObject({
      appCode: 'ACCOUNT_NOT_FOUND',
    });
  });
});

describe('tiktok.disconnect', () => {
  it('revokes at TikTok, wipes the tokens and promotes the most recently used account', async () => {
    const { deps, instance, caller } = await setup();
    const current = await connectedAccount(deps, emulator(), instance.id, { isDefault: true });
    const other = await connectedAccount(deps, emulator(), instance.id, { user: await secondUsername(), isDefault: false });

    const result = await caller.tiktok.disconnect({ accountId: current.account.id });
    expect(result).toMatchObject({ revokedAtTikTok: true, newDefaultAccountId: other.account.id, account: { state: 'revoked', isDefault: false } });
    const row = await deps.db.selectFrom('instance_tiktok_credentials').selectAll().where('id', '=', current.account.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ access_token_encrypted: null, refresh_token_encrypted: null });
    await expect(deps.tiktok.getUserInfo(current.accessToken)).rejects.toMatchObject({ code: 'access_token_invalid' });
  });

  it('still wipes our tokens when TikTok cannot be reached to revoke', async () => {
    const { deps, instance, caller } = await setup();
    const { account } = await connectedAccount(deps, emulator(), instance.id);
    await emulator().failNext('oauth.revoke', { kind: 'error', status: 500, code: 'server_error', count: 5 });

    const result = await caller.tiktok.disconnect({ accountId: account.id });
    expect(result).toMatchObject({ revokedAtTikTok: false, newDefaultAccountId: null, account: { state: 'revoked' } });
  });

  it('still disconnects an account whose stored tokens no key can open', async () => {
    const { deps, instance, caller } = await setup();
    const { account } = await connectedAccount(deps, emulator(), instance.id);
    await deps.db.updateTable('instance_tiktok_credentials').set({ access_token_encrypted: sealedWithAnotherKey('old') }).where('id', '=', account.id).execute();

    const result = await caller.tiktok.disconnect({ accountId: account.id });
    expect(result).toMatchObject({ revokedAtTikTok: false, account: { state: 'revoked' } });
  });
});

describe('tiktok.creatorInfo', () => {
  it('answers for the default account when none is named', async () => {
    const { deps, instance, caller } = await setup();
    const { account } = await connectedAccount(deps, emulator(), instance.id);
    const [creator] = await emulator().users();

    expect(await caller.tiktok.creatorInfo()).toMatchObject({
      accountId: account.id,
      username: creator!.username,
      privacyLevelOptions: expect.arrayContaining(['SELF_ONLY']) as string[],
      maxVideoPostDurationSec: 600,
    });
  });

  it('answers 404 NO_TIKTOK_ACCOUNT when nothing is connected', async () => {
    const { caller } = await setup();
    await expect(caller.tiktok.creatorInfo()).rejects.toMatchObject({ appCode: 'NO_TIKTOK_ACCOUNT' });
  });

  it('says when the creator cannot post, keeping TikTok’s code', async () => {
    const { deps, instance, caller } = await setup();
    await connectedAccount(deps, emulator(), instance.id);
    const [creator] = await emulator().users();
    await emulator().updateUser(creator!.username, { bannedFromPosting: true });

    await expect(caller.tiktok.creatorInfo()).rejects.toMatchObject({
      appCode: 'CREATOR_CANNOT_POST',
      cause: { extra: { tiktok: { code: 'spam_risk_user_banned_from_posting' } } },
    });
  });

  it('stays within TikTok’s 20 calls a minute, answering RATE_LIMITED with a wait', async () => {
    const { deps, instance, caller } = await setup();
    await connectedAccount(deps, emulator(), instance.id);
    for (let i = 0; i < 20; i++) await caller.tiktok.creatorInfo();

    await expect(caller.tiktok.creatorInfo()).rejects.toMatchObject({ appCode: 'RATE_LIMITED' });
    expect(await emulator().calls({ endpoint: 'creator_info.query' })).toBe(20);
  });
});

describe('the proactive token refresher', () => {
  it('renews tokens that expire within the hour and leaves the others', async () => {
    const { deps, instance } = await setup();
    const soon = await connectedAccount(deps, emulator(), instance.id, { expired: true });
    await connectedAccount(deps, emulator(), instance.id, { user: await secondUsername(), isDefault: false });

    expect(await refreshExpiringTokens(deps)).toEqual({ refreshed: 1, failed: 0 });
    expect(await emulator().calls({ endpoint: 'oauth.token' })).toBe(1);
    const row = await deps.db.selectFrom('instance_tiktok_credentials').selectAll().where('id', '=', soon.account.id).executeTakeFirstOrThrow();
    expect(row.access_token_expires_at!.getTime()).toBeGreaterThan(Date.now() + 60 * 60_000);
  });
});
