import { useTestDatabase } from '@reelpost/db/testing';
import type { FixturePhotoName, FixtureVideoName } from '@reelpost/tiktok-emulator/testing';
import { startTikTokEmulator, type TikTokEmulator, type TikTokEmulatorOptions } from '@reelpost/tiktok-emulator';
import { afterEach, beforeEach } from 'vitest';
import type { AppDeps } from '../src/deps.js';
import { createCaller } from '../src/root.js';
import type { AppSettings } from '../src/settings.js';
import { contextFor, REDIRECT_URI, sessionFor, testDeps, testVideoPolicy } from './deps.js';
import { connectedAccount, ownerWithInstance } from './tiktok.js';
import { useVideoHost } from './video-host.js';

let seeds = 0;

export interface PostingWorld {
  deps: AppDeps;
  /** The test database's URL, for a second pool standing in for another process. */
  databaseUrl: string;
  emulator: TikTokEmulator;
  /** A user with an instance, a connected default account and a completed task whose video is the sample. */
  creator(options?: { video?: FixtureVideoName; label?: string; videoUrl?: string; outputData?: unknown }): Promise<Awaited<ReturnType<typeof seedCreator>>>;
  videoUrl(name: FixtureVideoName): string;
  /** A fixture photo under the verified prefix. */
  photoUrl(name: FixturePhotoName): string;
  /** A URL under the verified prefix that redirects to `videoUrl(name)`. */
  redirectingVideoUrl(name: FixtureVideoName): string;
}

async function seedCreator(deps: AppDeps, emulator: TikTokEmulator, videoUrl: string, label: string, outputData?: unknown) {
  const { user, instance } = await ownerWithInstance(deps.db, label);
  const { account, accessToken } = await connectedAccount(deps, emulator, instance.id);
  const task = await deps.db
    .insertInto('instance_tasks')
    .values({
      instance_id: instance.id,
      type: 'video_generation',
      status: 'completed',
      output_data: JSON.stringify(outputData ?? { video_url: videoUrl, media_type: 'video', duration: 4, suggested_caption: 'A test video #ai' }),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const caller = createCaller(contextFor(deps, sessionFor(user.id)));
  return { user, instance, account, accessToken, task, caller };
}

/**
 * The posting path's world for one test file: its own database, a video host, and for each test a fresh
 * emulator (manual clock starting now, our host verified for PULL_FROM_URL) with deps pointed at it.
 */
export function usePostingWorld(
  options: { emulator?: TikTokEmulatorOptions; settings?: (settings: AppSettings) => void; verifyHost?: boolean } = {},
): () => PostingWorld {
  const database = useTestDatabase();
  const host = useVideoHost();
  let world: PostingWorld | undefined;
  beforeEach(async () => {
    const emulator = await startTikTokEmulator({
      clock: 'manual',
      startTime: Date.now(),
      seed: `posting-${process.pid}-${++seeds}`,
      ...options.emulator,
      app: {
        redirectUris: [REDIRECT_URI],
        verifiedUrlPrefixes: options.verifyHost === false ? [] : [host().prefix],
        ...options.emulator?.app,
      },
    });
    const deps = testDeps(database().db, { emulator });
    deps.settings = { ...deps.settings, video: testVideoPolicy(host().prefix) };
    // Tests ask for status right after moving the emulator's clock; the coalescing interval has tests of its own.
    deps.settings.posting.minStatusIntervalMs = 0;
    options.settings?.(deps.settings);
    world = {
      deps,
      databaseUrl: database().url,
      emulator,
      creator: ({ video = 'sample', label = 'creator', videoUrl, outputData } = {}) =>
        seedCreator(deps, emulator, videoUrl ?? host().urlOf(video), label, outputData),
      videoUrl: (name) => host().urlOf(name),
      photoUrl: (name) => host().photoUrlOf(name),
      redirectingVideoUrl: (name) => host().redirectingUrlOf(name),
    };
  });
  afterEach(async () => {
    await world?.emulator.stop();
    world = undefined;
  });
  return () => {
    if (!world) throw new Error('usePostingWorld(): only available inside tests');
    return world;
  };
}
