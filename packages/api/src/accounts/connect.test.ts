import { useTestDatabase } from '@reelpost/db/testing';
import { describe, expect, it } from 'vitest';
import { contextFor, sessionFor, testDeps } from '../../test/deps.js';
import { createCaller } from '../root.js';
import { ownerWithInstance, useEmulator } from '../../test/tiktok.js';
import type { Clock } from '../deps.js';
import { completeTikTokConnect, startTikTokConnect } from './connect.js';

const database = useTestDatabase();
const emulator = useEmulator();

function deps(clock?: Clock) {
  return testDeps(database().db, { emulator: emulator(), ...(clock && { clock }) });
}

/** What the browser does: open TikTok's authorize page, which (in the emulator) consents and redirects back. */
async function consent(authorizeUrl: string): Promise<URLSearchParams> {
  const response = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location')!).searchParams;
}

async function connectFlow(shared = deps(), label = 'owner') {
  const { user, instance } = await ownerWithInstance(shared.db, label);
  const { authorizeUrl } = await startTikTokConnect(shared, sessionFor(user.id), { instanceId: instance.id, redirectTo: '/tasks' });
  const params = await consent(authorizeUrl);
  return { shared, user, instance, params };
}

async function accountsOf(instanceId: string) {
  return database().db.selectFrom('instance_tiktok_credentials').selectAll().where('instance_id', '=', instanceId).execute();
}

describe('connecting a TikTok account', () => {
  it('sends the browser to TikTok with state and an S256 PKCE challenge', async () => {
    const { user, instance } = await ownerWithInstance(database().db);
    const { authorizeUrl, expiresAt } = await startTikTokConnect(deps(), sessionFor(user.id), { instanceId: instance.id });
    const url = new URL(authorizeUrl);
    expect(url.searchParams.get('state')).toMatch(/.{20,}/);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
  });

  it('stores only a hash of the state and a sealed verifier', async () => {
    const { user, instance } = await ownerWithInstance(database().db);
    const { authorizeUrl } = await startTikTokConnect(deps(), sessionFor(user.id), { instanceId: instance.id });
    const state = new URL(authorizeUrl).searchParams.get('state')!;
    const rows = await database().db.selectFrom('tiktok_oauth_states').selectAll().where('instance_id', '=', instance.id).execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(state);
  });

  it('links the account on the callback, sealed, as the instance’s first and default account', async () => {
    const { shared, user, instance, params } = await connectFlow();
    const outcome = await completeTikTokConnect(shared, user.id, { state: params.get('state'), code: params.get('code') });

    expect(outcome).toMatchObject({ ok: true, instanceId: instance.id, redirectTo: '/tasks', account: { isDefault: true, state: 'active' } });
    const [row] = await accountsOf(instance.id);
    const [creator] = await emulator().users();
    expect(row).toMatchObject({ open_id: creator!.openId, username: creator!.username, is_default: true });
    expect(row!.access_token_encrypted).toMatch(/^gAAAAA/);
    expect(shared.tokens.decrypt(row!.access_token_encrypted!)).toMatch(/^act\./);
  });

  it('makes a second account not the default', async () => {
    const { shared, user, instance, params } = await connectFlow();
    await completeTikTokConnect(shared, user.id, { state: params.get('state'), code: params.get('code') });
    const [, second] = await emulator().users();
    await emulator().setAuthorizeBehaviour({ user: second!.username });
    const { authorizeUrl } = await startTikTokConnect(shared, sessionFor(user.id), { instanceId: instance.id });
    const again = await consent(authorizeUrl);
    const outcome = await completeTikTokConnect(shared, user.id, { state: again.get('state'), code: again.get('code') });

    expect(outcome).toMatchObject({ ok: true, account: { isDefault: false } });
    expect((await accountsOf(instance.id)).filter((row) => row.is_default)).toHaveLength(1);
  });

  it('reconnecting the same TikTok user updates its tokens and makes it active again', async () => {
    const { shared, user, instance, params } = await connectFlow();
    await completeTikTokConnect(shared, user.id, { state: params.get('state'), code: params.get('code') });
    await shared.db.updateTable('instance_tiktok_credentials').set({ state: 'needs_reauth' }).where('instance_id', '=', instance.id).execute();
    const [before] = await accountsOf(instance.id);

    const { authorizeUrl } = await startTikTokConnect(shared, sessionFor(user.id), { instanceId: instance.id });
    const again = await consent(authorizeUrl);
    await completeTikTokConnect(shared, user.id, { state: again.get('state'), code: again.get('code') });

    const rows = await accountsOf(instance.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: before!.id, state: 'active', is_default: true });
    expect(rows[0]!.access_token_encrypted).not.toBe(before!.access_token_encrypted);
  });

  it('refuses a replayed state and links nothing more', async () => {
    const { shared, user, instance, params } = await connectFlow();
    await completeTikTokConnect(shared, user.id, { state: params.get('state'), code: params.get('code') });
    const replay = await completeTikTokConnect(shared, user.id, { state: params.get('state'), code: params.get('code') });
    expect(replay).toMatchObject({ ok: false, reason: 'state_reused' });
    expect(await accountsOf(instance.id)).toHaveLength(1);
  });

  it('refuses to let another user finish a connect (account linking CSRF), linking nothing', async () => {
    const { shared, instance, params } = await connectFlow(deps(), 'attacker');
    const { user: victim } = await ownerWithInstance(database().db, 'victim');
    const outcome = await completeTikTokConnect(shared, victim.id, { state: params.get('state'), code: params.get('code') });
    expect(outcome).toEqual({ ok: false, reason: 'foreign_state', redirectTo: null });
    expect(await accountsOf(instance.id)).toHaveLength(0);
  });

  it('finishes through tiktok.completeConnect for the user who started it', async () => {
    const { shared, user, instance, params } = await connectFlow();
    const caller = createCaller(contextFor(shared, sessionFor(user.id)));
    const result = await caller.tiktok.completeConnect({ state: params.get('state')!, code: params.get('code')! });
    expect(result).toMatchObject({ instanceId: instance.id, redirectTo: '/tasks', account: { isDefault: true } });
    await expect(caller.tiktok.completeConnect({ state: params.get('state')!, code: params.get('code')! })).rejects.toMatchObject({
      appCode: 'OAUTH_STATE_INVALID',
    });
  });

  it('answers 403 through tiktok.completeConnect when another user started it', async () => {
    const { shared, params } = await connectFlow(deps(), 'someone');
    const { user: other } = await ownerWithInstance(database().db, 'other');
    const caller = createCaller(contextFor(shared, sessionFor(other.id)));
    await expect(caller.tiktok.completeConnect({ state: params.get('state')!, code: params.get('code')! })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('refuses a state it never issued', async () => {
    const outcome = await completeTikTokConnect(deps(), 'no-one', { state: 'made-up-state', code: 'made-up-code' });
    expect(outcome).toEqual({ ok: false, reason: 'unknown_state', redirectTo: null });
  });

  it('refuses a callback without state', async () => {
    expect(await completeTikTokConnect(deps(), 'no-one', { code: 'x' })).toEqual({ ok: false, reason: 'missing_state', redirectTo: null });
  });

  it('refuses an expired state', async () => {
    const { user, instance, params } = await connectFlow();
    const later: Clock = { now: () => new Date(Date.now() + 11 * 60_000) };
    const outcome = await completeTikTokConnect(deps(later), user.id, { state: params.get('state'), code: params.get('code') });
    expect(outcome).toMatchObject({ ok: false, reason: 'state_expired' });
    expect(await accountsOf(instance.id)).toHaveLength(0);
  });

  it('links nothing when the person declines at TikTok', async () => {
    await emulator().setAuthorizeBehaviour({ deny: true });
    const { shared, user, instance, params } = await connectFlow();
    expect(params.get('error')).toBe('access_denied');
    const outcome = await completeTikTokConnect(shared, user.id, { state: params.get('state'), error: params.get('error') });
    expect(outcome).toMatchObject({ ok: false, reason: 'access_denied', redirectTo: '/tasks' });
    expect(await accountsOf(instance.id)).toHaveLength(0);
  });

  it('reports a code TikTok refuses, keeping TikTok’s code', async () => {
    const { shared, user, instance, params } = await connectFlow();
    const outcome = await completeTikTokConnect(shared, user.id, { state: params.get('state'), code: 'not-the-code' });
    expect(outcome).toMatchObject({ ok: false, reason: 'tiktok_failed', tiktok: { code: 'invalid_grant' } });
    expect(await accountsOf(instance.id)).toHaveLength(0);
  });

  it('refuses to start for another user’s instance', async () => {
    const { instance } = await ownerWithInstance(database().db, 'alice');
    const { user: mallory } = await ownerWithInstance(database().db, 'mallory');
    await expect(startTikTokConnect(deps(), sessionFor(mallory.id), { instanceId: instance.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
