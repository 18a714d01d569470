import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTikTokClient } from '@reelpost/tiktok';
import {
  connectTikTokEmulator,
  EmulatorAdminError,
  runEmulatorCommand,
  startTikTokEmulator,
  type TikTokEmulator,
  type TikTokEmulatorControls,
} from '../src/index.js';
import { REDIRECT_URI, rejectionOf } from './support.js';

describe('the admin API drives an emulator from another process', () => {
  let emulator: TikTokEmulator;
  let remote: TikTokEmulatorControls;
  beforeAll(async () => {
    emulator = await startTikTokEmulator({ clock: 'manual', app: { redirectUris: [REDIRECT_URI] } });
    remote = connectTikTokEmulator(emulator.url);
  });
  afterAll(() => emulator.stop());

  it('adds and updates users, issues tokens and counts calls per token', async () => {
    await remote.reset();
    const user = await remote.addUser({ username: 'remote.user', maxVideoPostDurationSec: 42 });
    await remote.updateUser('remote.user', { commentDisabled: true });
    const tokens = await remote.issueTokens(user.openId, ['video.publish']);
    const client = createTikTokClient({ clientKey: emulator.app.clientKey, clientSecret: emulator.app.clientSecret, redirectUri: REDIRECT_URI, apiBaseUrl: emulator.url });

    await expect(client.queryCreatorInfo(tokens.access_token)).resolves.toMatchObject({ maxVideoPostDurationSec: 42, commentDisabled: true });
    expect(await remote.calls({ endpoint: 'creator_info.query', accessToken: tokens.access_token })).toBe(1);
    expect(await remote.calls({ accessToken: 'act.someone-else' })).toBe(0);
    expect(await remote.calls()).toBe(1);
    expect((await remote.callLog())[0]).toMatchObject({ endpoint: 'creator_info.query', openId: user.openId });
  });

  it('injects faults and moves the clock', async () => {
    await remote.reset();
    const tokens = await remote.issueTokens('reelpost.creator');
    await remote.failNext('user.info', { status: 500, code: 'internal_error' });
    const before = await remote.now();
    await remote.advance(90_000);
    expect((await remote.now()) - before).toBe(90_000);

    const response = await fetch(`${emulator.url}/v2/user/info/?fields=open_id`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(response.status).toBe(500);
    await remote.clearFaults();
  });

  it('configures the app and the authorize behaviour, and lists users, publishes and deliveries', async () => {
    await remote.reset();
    await expect(remote.configureApp({ audited: false })).resolves.toMatchObject({ audited: false, redirectUris: [REDIRECT_URI] });
    await remote.setAuthorizeBehaviour({ deny: true });
    await remote.failNextPublish('spam_risk');
    await remote.pauseProcessing();
    await remote.resumeProcessing();
    await remote.setProcessingSpeed(2);
    await remote.settle();
    expect((await remote.users()).map((user) => user.username)).toEqual(['reelpost.creator', 'quiet.studio']);
    expect(await remote.publishes()).toEqual([]);
    expect(await remote.webhookDeliveries()).toEqual([]);
    expect(await remote.clearInbox('reelpost.creator')).toBe(0);
    await remote.revokeAuthorization('quiet.studio');
  });

  it('reports a bad control call as an EmulatorAdminError saying what was wrong', async () => {
    const error = await rejectionOf(remote.failNext('video.init', { kind: 'explode' } as never));
    expect(error).toBeInstanceOf(EmulatorAdminError);
    await expect(remote.updateUser('nobody', {})).rejects.toThrow('no test user nobody');
    await expect(remote.setProcessingSpeed(0)).rejects.toThrow('speed must be positive');
    await expect(remote.addUser({ username: 'reelpost.creator' })).rejects.toThrow('exists already');
  });

  it('answers 404 for an unknown control and 400 for a body that is not an argument list', async () => {
    expect((await fetch(`${emulator.url}/__emulator/explode`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${emulator.url}/__emulator/advance`, { method: 'POST', body: '{"ms":1}' })).status).toBe(400);
  });

  it('describes itself at /__emulator/ without revealing the client secret', async () => {
    const response = await fetch(`${emulator.url}/__emulator/`);
    const body = (await response.json()) as { url: string; clock: { mode: string }; app: { clientSecret: string }; controls: string[] };
    expect(body).toMatchObject({ url: emulator.url, clock: { mode: 'manual' }, app: { clientSecret: '(set)' } });
    expect(body.controls).toContain('failNext');
  });
});

describe('the authorize page', () => {
  let emulator: TikTokEmulator;
  beforeAll(async () => {
    emulator = await startTikTokEmulator({ clock: 'manual', consentPage: true, app: { redirectUris: [REDIRECT_URI] } });
  });
  afterAll(() => emulator.stop());

  const client = () =>
    createTikTokClient({ clientKey: emulator.app.clientKey, clientSecret: 'emulator-client-secret', redirectUri: REDIRECT_URI, apiBaseUrl: emulator.url, authBaseUrl: emulator.url, allowInsecureRequests: true });

  it('shows a consent page listing the test users when asked to', async () => {
    const response = await fetch(await client().buildAuthorizeUrl({ state: 's', codeVerifier: 'v'.repeat(43), scopes: ['user.info.basic'] }));
    const page = await response.text();
    expect(response.status).toBe(200);
    expect(page).toContain('Continue as @reelpost.creator');
    expect(page).toContain('Continue as @quiet.studio');
  });

  it('redirects with a code for the user a person picks on the consent page', async () => {
    const authorizeUrl = new URL(await client().buildAuthorizeUrl({ state: 's', codeVerifier: 'v'.repeat(43), scopes: ['user.info.basic'] }));
    const [, quiet] = await emulator.users();
    const form = new URLSearchParams(authorizeUrl.searchParams);
    form.set('emulator_user', quiet!.openId);
    const response = await fetch(authorizeUrl.origin + authorizeUrl.pathname, { method: 'POST', body: form, redirect: 'manual' });
    const callback = new URL(response.headers.get('location')!);
    expect(callback.searchParams.get('code')).toBeTruthy();

    const tokens = await client().exchangeCode({ callbackUrl: callback, state: 's', codeVerifier: 'v'.repeat(43) });
    expect(tokens.openId).toBe(quiet!.openId);
  });

  it('redirects with access_denied when the person cancels', async () => {
    const authorizeUrl = new URL(await client().buildAuthorizeUrl({ state: 's', codeVerifier: 'v'.repeat(43), scopes: ['user.info.basic'] }));
    const form = new URLSearchParams(authorizeUrl.searchParams);
    form.set('decision', 'deny');
    const response = await fetch(authorizeUrl.origin + authorizeUrl.pathname, { method: 'POST', body: form, redirect: 'manual' });
    expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
  });

  it('skips the page when the test user is named in the URL (for browser tests)', async () => {
    const url = new URL(await client().buildAuthorizeUrl({ state: 's', codeVerifier: 'v'.repeat(43), scopes: ['user.info.basic'] }));
    url.searchParams.set('emulator_user', 'quiet.studio');
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
  });

  it.each([
    ['an unknown client key', { client_key: 'nope' }, 'client_key is unknown'],
    ['an unknown test user', { emulator_user: 'ghost' }, 'no test user ghost'],
  ])('shows an error page for %s', async (_name, params, message) => {
    const url = new URL(await client().buildAuthorizeUrl({ state: 's', codeVerifier: 'v'.repeat(43), scopes: ['user.info.basic'] }));
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(message);
  });

  it.each([
    ['a response type other than code', { response_type: 'token' }, 'unsupported_response_type'],
    ['a PKCE method other than S256', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['no scope', { scope: '' }, 'invalid_scope'],
  ])('redirects back with an error for %s', async (_name, params, error) => {
    const url = new URL(await client().buildAuthorizeUrl({ state: 's', codeVerifier: 'v'.repeat(43), scopes: ['user.info.basic'] }));
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    url.searchParams.set('emulator_user', 'reelpost.creator');
    const response = await fetch(url, { redirect: 'manual' });
    expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe(error);
  });

  it('answers unsupported_grant_type for a grant TikTok does not offer', async () => {
    const response = await fetch(`${emulator.url}/v2/oauth/token/`, {
      method: 'POST',
      body: new URLSearchParams({ client_key: 'emulator-client-key', client_secret: 'emulator-client-secret', grant_type: 'password' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'unsupported_grant_type', log_id: expect.any(String) as string });
  });
});

describe('determinism', () => {
  it('issues the same ids and tokens for the same seed and the same calls', async () => {
    const run = async () => {
      const emulator = await startTikTokEmulator({ clock: 'manual', seed: 'fixed' });
      try {
        const tokens = await emulator.issueTokens('reelpost.creator');
        return { users: (await emulator.users()).map((user) => user.openId), token: tokens.access_token };
      } finally {
        await emulator.stop();
      }
    };
    expect(await run()).toEqual(await run());
  });

  it('starts from the same manual time by default', async () => {
    const emulator = await startTikTokEmulator({ clock: 'manual' });
    expect(await emulator.now()).toBe(Date.UTC(2026, 0, 1));
    await emulator.stop();
  });
});

describe('the standalone command', () => {
  it('prints its URL and serves TikTok there', async () => {
    const lines: string[] = [];
    const emulator = await runEmulatorCommand(['--redirect-uri', REDIRECT_URI, '--verified-prefix', 'http://127.0.0.1/', '--unaudited', '--seed', 's'], (line) => lines.push(line), {});
    try {
      expect(lines[0]).toBe(`TikTok emulator listening on ${emulator!.url}`);
      expect(lines.some((line) => line.includes('@reelpost.creator'))).toBe(true);
      expect(emulator!.app).toMatchObject({ redirectUris: [REDIRECT_URI], verifiedUrlPrefixes: ['http://127.0.0.1/'], audited: false });
      expect(emulator!.clock.mode).toBe('real');
      expect((await fetch(`${emulator!.url}/__emulator/`)).status).toBe(200);
    } finally {
      await emulator?.stop();
    }
  });

  it('reads options from a JSON file and prints one JSON line with --json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-'));
    const config = join(dir, 'emulator.json');
    writeFileSync(config, JSON.stringify({ users: [{ username: 'from.file' }], app: { clientKey: 'file-key' } }));
    const lines: string[] = [];
    const emulator = await runEmulatorCommand(['--config', config, '--json', '--client-secret', 'cli-secret', '--webhook-url', 'http://127.0.0.1:1/hook', '--consent-page', '--host', '127.0.0.1'], (line) => lines.push(line), {});
    try {
      expect(JSON.parse(lines[0]!)).toEqual({ url: emulator!.url, clientKey: 'file-key', users: [{ openId: expect.any(String) as string, username: 'from.file', accountPrivate: false }] });
      expect(emulator!.app).toMatchObject({ clientSecret: 'cli-secret', webhookUrl: 'http://127.0.0.1:1/hook' });
    } finally {
      await emulator?.stop();
    }
  });

  it('shortens TikTok\'s rate-limit window when told (load tests), from the flag or TIKTOK_RATE_LIMIT_WINDOW_MS', async () => {
    const lines: string[] = [];
    const emulator = await runEmulatorCommand(['--json'], (line) => lines.push(line), { TIKTOK_RATE_LIMIT_WINDOW_MS: '1500' });
    try {
      const tokens = await emulator!.issueTokens('reelpost.creator');
      const client = createTikTokClient({ clientKey: 'k', clientSecret: 's', redirectUri: REDIRECT_URI, apiBaseUrl: emulator!.url, rateLimits: false });
      for (let n = 0; n < 20; n += 1) await client.queryCreatorInfo(tokens.access_token);
      await expect(client.queryCreatorInfo(tokens.access_token)).rejects.toMatchObject({ httpStatus: 429 });
      await sleep(1_600);
      await expect(client.queryCreatorInfo(tokens.access_token)).resolves.toMatchObject({ username: 'reelpost.creator' });
    } finally {
      await emulator?.stop();
    }
    await expect(runEmulatorCommand(['--rate-limit-window-ms', '0'], () => undefined, {})).rejects.toThrow(/from 1 to 60000/);
  });

  it('prints its usage for --help and starts nothing', async () => {
    const lines: string[] = [];
    expect(await runEmulatorCommand(['--help'], (line) => lines.push(line))).toBeUndefined();
    expect(lines[0]).toContain('Usage: emulator');
  });
});

describe('real time', () => {
  it('finishes processing on its own, without anyone advancing the clock', async () => {
    const emulator = await startTikTokEmulator({ processing: { baseMs: 0, msPerMiB: 0, moderationDelayMs: 0 }, app: { verifiedUrlPrefixes: ['http://127.0.0.1'] } });
    try {
      const { readFileSync } = await import('node:fs');
      const { createServer } = await import('node:http');
      const { fixtureVideos } = await import('../src/testing/fixtures.js');
      const video = readFileSync(fixtureVideos.sample);
      const host = createServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4' }).end(video));
      await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
      const port = (host.address() as { port: number }).port;
      const tokens = await emulator.issueTokens('reelpost.creator');
      const client = createTikTokClient({ clientKey: 'k', clientSecret: 's', redirectUri: REDIRECT_URI, apiBaseUrl: emulator.url, allowHttpVideoUrls: true });
      const { publishId } = await client.initDirectPost(tokens.access_token, {
        postInfo: { privacyLevel: 'PUBLIC_TO_EVERYONE' },
        source: { source: 'PULL_FROM_URL', videoUrl: `http://127.0.0.1:${port}/v.mp4` },
      });
      await emulator.settle();
      await expect.poll(async () => (await client.fetchPostStatus(tokens.access_token, publishId)).publiclyAvailablePostIds.length, { interval: 20 }).toBe(1);
      host.close();
    } finally {
      await emulator.stop();
    }
  });
});
