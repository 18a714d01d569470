import { randomBytes } from 'node:crypto';
import type { TikTokEmulatorControls } from '@reelpost/tiktok-emulator';
import { connectTikTokEmulator, startTikTokEmulator } from '@reelpost/tiktok-emulator';

const DEMO_CREATORS = [
  { openId: '-000demo-reelpost-creator', username: 'reelpost.creator', displayName: 'Reelpost Creator' },
  { openId: '-000demo-quiet-studio', username: 'quiet.studio', displayName: 'Quiet Studio', accountPrivate: true, maxVideoPostDurationSec: 180 },
];

export interface DemoTikTok {
  /** Base URL of the emulator's API and authorize page. */
  url: string;
  clientKey: string;
  clientSecret: string;
  controls: TikTokEmulatorControls;
  /** Stops an emulator this process started; a separate one is left running. */
  stop: () => Promise<void>;
}

export interface DemoTikTokOptions {
  /** An emulator already running elsewhere (`pnpm --filter @reelpost/tiktok-emulator emulator`); else one starts in-process. */
  externalUrl?: string | undefined;
  publicUrl: string;
  callbackPath: string;
  webhookPath: string;
  mediaPrefix: string;
}

/**
 * The TikTok of demo mode: the emulator, set up like a real TikTok app would be — our callback registered, our
 * media prefix verified for PULL_FROM_URL, webhooks pointed at us, a consent page for people clicking through.
 * Processing and moderation are quicker than TikTok's so a demo post is public within seconds.
 */
export async function startDemoTikTok(options: DemoTikTokOptions): Promise<DemoTikTok> {
  const app = {
    redirectUris: [`${options.publicUrl}${options.callbackPath}`],
    verifiedUrlPrefixes: [`${options.publicUrl}${options.mediaPrefix}`],
    webhookUrl: `${options.publicUrl}${options.webhookPath}`,
  };
  if (options.externalUrl) {
    const controls = connectTikTokEmulator(options.externalUrl);
    const configured = await controls.configureApp(app);
    return {
      url: options.externalUrl.replace(/\/+$/, ''),
      clientKey: configured.clientKey,
      clientSecret: configured.clientSecret,
      controls,
      stop: () => Promise.resolve(),
    };
  }
  const emulator = await startTikTokEmulator({
    // The secret signs the webhooks we accept: the emulator's public default would let anyone forge them.
    app: { ...app, clientSecret: randomBytes(32).toString('base64url') },
    // The demo database outlives the emulator: fixed user ids keep the seeded accounts, a seed per start keeps
    // publish ids from repeating those of an earlier run.
    seed: `demo-${Date.now()}`,
    users: DEMO_CREATORS,
    consentPage: true,
    processing: { baseMs: 3_000, moderationDelayMs: 8_000 },
  });
  return { url: emulator.url, clientKey: emulator.app.clientKey, clientSecret: emulator.app.clientSecret, controls: emulator, stop: () => emulator.stop() };
}
