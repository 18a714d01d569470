import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeEach } from 'vitest';
import { fixturePhotos, fixtureVideos, type FixturePhotoName, type FixtureVideoName } from '../src/testing/fixtures.js';
import { createTikTokClient, type TikTokClient, type TikTokClientOptions, type TikTokTokenSet } from '@reelpost/tiktok';
import { startTikTokEmulator, type TikTokEmulator, type TikTokEmulatorOptions } from '../src/index.js';

// Real servers on 127.0.0.1 for the tests: a host serving the fixture videos (what TikTok pulls from), a webhook
// receiver (what TikTok posts to) and the emulator with a client pointed at it. Nothing here imitates our own code.

export const REDIRECT_URI = 'http://127.0.0.1:3001/auth/tiktok/callback';
export const ALL_SCOPES = ['user.info.basic', 'user.info.profile', 'video.publish', 'video.upload'];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A valid MP4 grown to `totalBytes` with a trailing ISO-BMFF `free` box, for multi-chunk uploads. */
export function paddedSampleVideo(totalBytes: number): Buffer {
  const sample = readFileSync(fixtureVideos.sample);
  const padding = totalBytes - sample.length;
  if (padding < 8) return sample;
  const box = Buffer.alloc(padding);
  box.writeUInt32BE(padding, 0);
  box.write('free', 4, 'latin1');
  return Buffer.concat([sample, box]);
}

export interface VideoHost {
  url: string;
  urlOf(name: FixtureVideoName): string;
  /** /videos/photos/<fixture> (under the verified prefix) with its own extension, served as its type (the bytes decide for TikTok anyway). */
  photoUrlOf(name: FixturePhotoName): string;
  stop(): Promise<void>;
}

const PHOTO_TYPES: Record<string, string> = { jpg: 'image/jpeg', webp: 'image/webp', png: 'image/png' };
const photoFiles = Object.fromEntries(Object.entries(fixturePhotos).map(([name, path]) => [name, { body: readFileSync(path), ext: path.split('.').pop()! }]));

/** Serves /videos/<fixture>.mp4, /videos/missing.mp4 (404), /videos/redirect.mp4 (302 to the sample), /videos/padded.mp4?bytes=N and the same streamed without a length. */
export async function startVideoHost(): Promise<VideoHost> {
  const files = Object.fromEntries(Object.entries(fixtureVideos).map(([name, path]) => [name, readFileSync(path)]));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const photo = photoFiles[/^\/videos\/photos\/(\w+)\.\w+$/.exec(url.pathname)?.[1] ?? ''];
    if (photo) {
      res.writeHead(200, { 'content-type': PHOTO_TYPES[photo.ext]!, 'content-length': photo.body.length }).end(photo.body);
      return;
    }
    const name = /^\/videos\/(\w+)\.mp4$/.exec(url.pathname)?.[1];
    const body = name ? files[name] : url.pathname === '/videos/padded.mp4' ? paddedSampleVideo(Number(url.searchParams.get('bytes'))) : undefined;
    if (url.pathname === '/videos/redirect.mp4') {
      // A URL that moved: TikTok does not follow redirects.
      res.writeHead(302, { location: '/videos/sample.mp4' }).end();
      return;
    }
    if (url.pathname === '/videos/streamed.mp4') {
      // No Content-Length: the size is only known while reading.
      const streamed = paddedSampleVideo(Number(url.searchParams.get('bytes')));
      res.writeHead(200, { 'content-type': 'video/mp4' });
      for (let offset = 0; offset < streamed.length; offset += 1024 * 1024) res.write(streamed.subarray(offset, offset + 1024 * 1024));
      res.end();
      return;
    }
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': body.length }).end(body);
  });
  const url = await listen(server);
  return {
    url,
    urlOf: (name) => `${url}/videos/${name}.mp4`,
    photoUrlOf: (name) => `${url}/videos/photos/${name}.${photoFiles[name]!.ext}`,
    stop: () => close(server) };
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status codes for the next deliveries, in order; 200 once they run out. */
  answerWith(...statuses: number[]): void;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let statuses: number[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(parts).toString('utf8') });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  const url = await listen(server);
  return {
    url: `${url}/webhooks/tiktok`,
    received,
    answerWith: (...next) => {
      statuses = next;
    },
    stop: () => close(server),
  };
}

export interface Harness {
  emulator: TikTokEmulator;
  videos: VideoHost;
  /** A fresh client for the current test (its rate limiter starts empty). */
  client: TikTokClient;
  makeClient(overrides?: Partial<TikTokClientOptions>): TikTokClient;
  /** The browser round trip (authorize page → redirect) and the code exchange, as the app does it. */
  connect(options?: { user?: string; scopes?: string[]; client?: TikTokClient }): Promise<TikTokTokenSet>;
}

/**
 * One emulator (manual time) and video host per test file, reset before each test. Retries back off on the
 * emulator's clock, so they take no real time.
 */
export function useEmulator(options: { emulator?: TikTokEmulatorOptions; client?: Partial<TikTokClientOptions> } = {}): () => Harness {
  let harness: Harness | undefined;
  let started: Promise<{ emulator: TikTokEmulator; videos: VideoHost }> | undefined;

  const start = async () => {
    const videos = await startVideoHost();
    const emulator = await startTikTokEmulator({
      clock: 'manual',
      ...options.emulator,
      app: { redirectUris: [REDIRECT_URI], verifiedUrlPrefixes: [`${videos.url}/videos/`], ...options.emulator?.app },
    });
    return { emulator, videos };
  };

  beforeEach(async () => {
    started ??= start();
    const { emulator, videos } = await started;
    await emulator.reset();
    const makeClient = (overrides: Partial<TikTokClientOptions> = {}) =>
      createTikTokClient({
        clientKey: emulator.app.clientKey,
        clientSecret: emulator.app.clientSecret,
        redirectUri: REDIRECT_URI,
        apiBaseUrl: emulator.url,
        authBaseUrl: emulator.url,
        allowInsecureRequests: true,
        clock: emulator.clock,
        retry: { random: () => 0.5 },
        ...options.client,
        ...overrides,
      });
    const client = makeClient();
    harness = {
      emulator,
      videos,
      client,
      makeClient,
      async connect({ user, scopes = ALL_SCOPES, client: using = client } = {}) {
        if (user) await emulator.setAuthorizeBehaviour({ user });
        const state = `state-${Math.random().toString(36).slice(2)}`;
        const codeVerifier = 'v'.repeat(43) + Math.random().toString(36).slice(2);
        const authorizeUrl = await using.buildAuthorizeUrl({ state, codeVerifier, scopes });
        const redirect = await fetch(authorizeUrl, { redirect: 'manual' });
        const callbackUrl = redirect.headers.get('location');
        if (!callbackUrl) throw new Error(`authorize answered ${redirect.status} without a redirect`);
        return using.exchangeCode({ callbackUrl, state, codeVerifier });
      },
    };
  });

  afterAll(async () => {
    if (!started) return;
    const { emulator, videos } = await started;
    await emulator.stop();
    await videos.stop();
  });

  return () => {
    if (!harness) throw new Error('useEmulator() is only available inside a test');
    return harness;
  };
}

/** Awaits a promise expected to reject and returns the error for assertions. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** A loopback URL where nothing listens (a port that was free a moment ago). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await close(server);
  return url;
}
