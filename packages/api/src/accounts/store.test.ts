import { useTestDatabase } from '@reelpost/db/testing';
import type { TikTokTokenSet } from '@reelpost/tiktok';
import { describe, expect, it } from 'vitest';
import { testDeps } from '../../test/deps.js';
import { ownerWithInstance } from '../../test/tiktok.js';
import { storeConnectedAccount } from './store.js';

const database = useTestDatabase();

function tokenSet(openId: string, accessToken = `act.${openId}`): TikTokTokenSet {
  const inADay = new Date(Date.now() + 86_400_000);
  return { accessToken, refreshToken: `rft.${openId}`, openId, scopes: ['video.publish'], accessTokenExpiresAt: inADay, refreshTokenExpiresAt: inADay };
}

describe('storing a connected account', () => {
  it('makes the instance\'s first account its default, and the next one not', async () => {
    const deps = testDeps(database().db);
    const { instance } = await ownerWithInstance(deps.db);
    const first = await storeConnectedAccount(deps, { instanceId: instance.id, tokens: tokenSet('open-a'), profile: { username: 'a' } });
    const second = await storeConnectedAccount(deps, { instanceId: instance.id, tokens: tokenSet('open-b'), profile: { username: 'b' } });
    expect([first.is_default, second.is_default]).toEqual([true, false]);
  });

  it('seals the tokens and, for a known open_id, replaces them and makes the account active again', async () => {
    const deps = testDeps(database().db);
    const { instance } = await ownerWithInstance(deps.db);
    const stored = await storeConnectedAccount(deps, { instanceId: instance.id, tokens: tokenSet('open-a', 'act.old'), profile: {} });
    await deps.db.updateTable('instance_tiktok_credentials').set({ state: 'needs_reauth' }).where('id', '=', stored.id).execute();

    const again = await storeConnectedAccount(deps, { instanceId: instance.id, tokens: tokenSet('open-a', 'act.new'), profile: { username: 'renamed' } });

    const row = await deps.db.selectFrom('instance_tiktok_credentials').selectAll().where('id', '=', stored.id).executeTakeFirstOrThrow();
    expect(again).toMatchObject({ id: stored.id, state: 'active', is_default: true, username: 'renamed' });
    const sealed = row.access_token_encrypted ?? '';
    expect(sealed).not.toContain('act.new');
    expect(deps.tokens.decrypt(sealed)).toBe('act.new');
  });

  it('follows an explicit isDefault instead of the rule', async () => {
    const deps = testDeps(database().db);
    const { instance } = await ownerWithInstance(deps.db);
    const account = await storeConnectedAccount(deps, { instanceId: instance.id, tokens: tokenSet('open-a'), profile: {}, isDefault: false });
    expect(account.is_default).toBe(false);
  });
});
