import { randomBytes } from 'node:crypto';
import { type AppDeps, storeConnectedAccount } from '@reelpost/api';
import { tokenSetFromResponse } from '@reelpost/tiktok';
import { startTikTokEmulator, type TikTokEmulator, type TikTokEmulatorControls, type TikTokEmulatorOptions } from '@reelpost/tiktok-emulator';
import { afterAll, beforeAll } from 'vitest';
import {
  type LocalOidcProvider,
  newSigningKey,
  type SigningKey,
  signWith,
  startOidcProvider,
} from '@reelpost/api/testing/identity-provider';
import { type SecurityServer, useSecurityServer } from './harness.js';

type JWTPayload = Parameters<typeof signWith>[1];

// A server configured the way production is — not demo mode: a TikTok app (the emulator standing in for TikTok at
// TIKTOK_API_BASE_URL), sign-in by an OpenID Connect provider (a local one publishing an RS256 key), verified
// https-only video URL prefixes and no private addresses — built through the same startRuntime and environment.

export const OIDC_AUDIENCE = 'reelpost-api';
/** The production storage prefix: nothing in the suites ever resolves or reaches its host. */
export const STORAGE_PREFIX = 'https://storage.reelpost.test/videos/';

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export interface ProductionLikeServer {
  server: () => SecurityServer;
  provider: () => LocalOidcProvider;
  /** The key the provider publishes (its public half is what an attacker would try as an HMAC secret). */
  key: () => SigningKey;
  emulator: () => TikTokEmulator;
  /** A valid access token from the provider for `sub`; `claims` override any claim. */
  userToken: (sub: string, claims?: JWTPayload, header?: Record<string, unknown>) => Promise<string>;
}

export interface ProductionLikeOptions {
  /** More variables (e.g. another VIDEO_URL_PREFIXES), read inside beforeAll. */
  env?: () => Record<string, string>;
  emulator?: TikTokEmulatorOptions;
}

export function useProductionLikeServer(options: ProductionLikeOptions = {}): ProductionLikeServer {
  let provider: LocalOidcProvider | undefined;
  let key: SigningKey | undefined;
  let emulator: TikTokEmulator | undefined;
  beforeAll(async () => {
    key = await newSigningKey(`key-${randomBytes(4).toString('hex')}`);
    provider = await startOidcProvider([key]);
    emulator = await startTikTokEmulator({ seed: `security-${randomBytes(6).toString('hex')}`, ...options.emulator });
  });
  // Registered before the server's: vitest runs afterAll hooks in reverse, so these stop after the server.
  afterAll(async () => {
    await emulator?.stop();
    await provider?.close();
  });
  const server = useSecurityServer({
    env: () => ({
      TIKTOK_CLIENT_KEY: emulator!.app.clientKey,
      TIKTOK_CLIENT_SECRET: emulator!.app.clientSecret,
      TIKTOK_API_BASE_URL: emulator!.url,
      TIKTOK_AUTH_BASE_URL: emulator!.url,
      OIDC_ISSUER: provider!.issuer,
      OIDC_AUDIENCE,
      VIDEO_URL_PREFIXES: STORAGE_PREFIX,
      ...options.env?.(),
    }),
    tiktok: () => emulator!,
    ready: async ({ runtime }) => {
      await emulator!.configureApp({
        redirectUris: [`${runtime.publicUrl}/tiktok/callback`],
        webhookUrl: `${runtime.publicUrl}/webhooks/tiktok`,
      });
    },
  });
  const got = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useProductionLikeServer(): ${what} is only available inside tests and hooks`);
    return value;
  };
  return {
    server,
    provider: () => got(provider, 'the identity provider'),
    key: () => got(key, 'the signing key'),
    emulator: () => got(emulator, 'the emulator'),
    userToken: (sub, claims = {}, header = {}) =>
      signWith(got(key, 'the signing key'), { iss: provider!.issuer, aud: OIDC_AUDIENCE, sub, iat: nowSeconds(), exp: nowSeconds() + 3600, ...claims }, header),
  };
}

type Db = AppDeps['db'];

/** A user (as their first sign-in would create them) with one instance. */
export async function seedOwner(db: Db, sub: string): Promise<{ userId: string; instanceId: string }> {
  const user = await db.insertInto('users').values({ sub, email: `${sub}@example.com` }).returning('id').executeTakeFirstOrThrow();
  const instance = await db.insertInto('instances').values({ owner_id: user.id, name: `${sub}'s instance` }).returning('id').executeTakeFirstOrThrow();
  return { userId: user.id, instanceId: instance.id };
}

/** A completed task whose output is a video at `videoUrl`. */
export async function seedVideoTask(db: Db, instanceId: string, videoUrl: string, title = 'A video task'): Promise<string> {
  const task = await db
    .insertInto('instance_tasks')
    .values({
      instance_id: instanceId,
      type: 'video_generation',
      status: 'completed',
      title,
      input: JSON.stringify({ prompt: title }),
      output_data: JSON.stringify({ video_url: videoUrl, media_type: 'video/mp4', duration: 4 }),
      execution_steps: JSON.stringify([]),
      completed_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return task.id;
}

/** An account connected the quick way: a token pair issued by the emulator, sealed and stored as the callback would. */
export async function seedAccount(
  deps: Pick<AppDeps, 'db' | 'tokens' | 'clock'>,
  tiktok: TikTokEmulatorControls,
  instanceId: string,
  options: { username?: string; isDefault?: boolean } = {},
): Promise<{ accountId: string; accessToken: string; refreshToken: string; openId: string }> {
  const [first] = await tiktok.users();
  const username = options.username ?? first!.username;
  const issued = await tiktok.issueTokens(username);
  const tokens = tokenSetFromResponse(issued, deps.clock.now().getTime());
  const account = await storeConnectedAccount(deps, { instanceId, tokens, profile: { username, displayName: username }, isDefault: options.isDefault });
  return { accountId: account.id, accessToken: issued.access_token, refreshToken: issued.refresh_token, openId: issued.open_id };
}
