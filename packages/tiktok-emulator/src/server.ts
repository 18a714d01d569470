import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createEmulatorClock, type EmulatorClock } from './clock.js';
import type { TikTokEmulatorControls } from './controls.js';
import { EmulatorEngine } from './engine.js';
import { createAdminRoutes } from './http-admin.js';
import { createApiRoutes, type EmulatorEnv } from './http-api.js';
import { createLocalControls } from './local-controls.js';
import { emulatorOptionsSchema, type EmulatorApp, type TikTokEmulatorOptions } from './options.js';

export interface TikTokEmulator extends TikTokEmulatorControls {
  /** Serves the API paths (/v2/...), the authorize page (/v2/auth/authorize/), upload URLs and /__emulator/. */
  url: string;
  /** The emulator's clock; pass it to a client as `clock` so both share (manual) time. */
  clock: EmulatorClock;
  /** The app as configured now (client key and secret for createTikTokClient). */
  readonly app: EmulatorApp;
  stop(): Promise<void>;
}

const DEFAULT_START = Date.UTC(2026, 0, 1);

/** Starts a local TikTok on `host:port` (127.0.0.1 and a free port by default). */
export async function startTikTokEmulator(input: TikTokEmulatorOptions = {}): Promise<TikTokEmulator> {
  const options = emulatorOptionsSchema.parse(input);
  const clock = createEmulatorClock(options.clock, options.startTime ?? DEFAULT_START);
  const engine = new EmulatorEngine(options, clock);
  const controls = createLocalControls(engine);
  clock.onAdvance(() => engine.pump());
  const hangs = new Set<() => void>();

  const app = new Hono<EmulatorEnv>();
  app.route('/', createAdminRoutes(engine, controls));
  app.route('/', createApiRoutes({ engine, hangs }));
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `No TikTok endpoint at ${c.req.method} ${new URL(c.req.url).pathname}`, log_id: '' } }, 404));

  const server = await new Promise<ServerType>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(started));
    started.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  engine.baseUrl = url;

  // On real time, due work happens without anyone asking.
  const ticker = options.clock === 'real' ? setInterval(() => engine.pump(), 100) : undefined;
  ticker?.unref();

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (ticker) clearInterval(ticker);
      engine.shutdown();
      for (const release of hangs) release();
      hangs.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // serve() made a plain HTTP/1.1 server.
        (server as Server).closeAllConnections();
      });
      await engine.settle();
    })());

  return {
    ...controls,
    url,
    clock,
    get app() {
      return engine.app;
    },
    stop,
  };
}
