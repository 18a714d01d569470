import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AppDeps,
  allJobs,
  appRouter,
  createAuth,
  createContextFactory,
  createTokenCodec,
  type DemoAuth,
  installJobQueue,
  type JobWorker,
  PostEventHub,
  startPostEventListener,
  startJobWorker,
  startSweepChain,
  systemClock,
} from '@reelpost/api';
import { findFreePort, type OpenedDatabase, openDatabase } from '@reelpost/db';
import { createTikTokClient } from '@reelpost/tiktok';
import type { Hono } from 'hono';
import { type AppEnv, createApp } from './app.js';
import { type Config, isDemoMode, serverUrlOf } from './config.js';
import { assertDemoOnlyDatabase } from './demo/database-guard.js';
import { type DemoTikTok, startDemoTikTok } from './demo/emulator.js';
import { loadOrCreateDemoSecrets } from './demo/secrets.js';
import { DEMO_EMAIL, seedDemo } from './demo/seed.js';
import type { Logger } from './logger.js';
import { asyncContextAdvice } from './observability/async-context.js';
import { registerGauges } from './observability/gauges.js';
import { observeHttp } from './observability/http.js';
import { apiRouteNamer } from './observability/routes.js';
import { createOpsApp, mountMetrics } from './observability/ops-routes.js';
import type { Telemetry } from './observability/telemetry.js';
import { observeTikTokClient, recordTikTokEvent } from './observability/tiktok.js';
import { webDistDirectory } from './paths.js';
import { DEMO_MEDIA_PATH, mountDemoRoutes } from './routes/demo.js';
import { mountTikTokCallback } from './routes/tiktok-callback.js';
import { mountTikTokWebhooks, TIKTOK_WEBHOOK_PATH } from './routes/tiktok-webhooks.js';
import { mountWebAssets } from './web-assets.js';
import { createRateLimits } from './limits/rate-limits.js';
import { appSettingsOf, authSettingsOf, dataDirOf, encryptionKeysOf, needsDemoSecrets, videoUrlPolicyOf } from './settings-of-config.js';

export interface RuntimeOptions {
  config: Config;
  logger: Logger;
  /** `server`: HTTP (and, unless WORKER=off, the jobs). `worker`: the jobs only. */
  role: 'server' | 'worker';
  /** Metrics (and traces, when a collector is configured); started by the entry point before anything else. */
  telemetry?: Telemetry | undefined;
}

export interface Runtime {
  app: Hono<AppEnv>;
  deps: AppDeps;
  port: number;
  publicUrl: string;
  demo: { email: string; token: string; tiktokUrl: string } | null;
  /** The embedded Postgres's data folder (printed at start-up: as root it may not be under DATA_DIR); null with DATABASE_URL. */
  embeddedDataDir: string | null;
  /** The internal port's app (/metrics, /healthz with the job loop, /readyz), when telemetry runs. */
  opsApp: Hono | null;
  /** Ends every live status stream (each client is told to reconnect elsewhere): before the HTTP server drains. */
  closeStreams: () => void;
  /** Stops the jobs (after the running ones), the emulator, the pool and the embedded Postgres, in that order. */
  shutdown: () => Promise<void>;
}

const CALLBACK_PATH = '/tiktok/callback';

/**
 * Everything the server and the worker run on, built once from the configuration: the database (migrated, with the
 * job queue's schema), the TikTok client (the emulator in demo mode), the encryption keys, sign-in, and in demo
 * mode the seeded data. The one place that knows which implementation goes where.
 */
export async function startRuntime({ config, logger, role, telemetry }: RuntimeOptions): Promise<Runtime> {
  const demo = isDemoMode(config);
  const port = config.PORT === 0 ? await findFreePort() : config.PORT;
  const publicUrl = serverUrlOf(config, port);
  const stops: (() => Promise<void>)[] = [];
  const shutdown = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };

  const dataDir = dataDirOf(config);

  try {
    const database: OpenedDatabase = await openDatabase({
      databaseUrl: config.DATABASE_URL,
      dataDir: join(dataDir, 'pg'),
      max: config.DATABASE_POOL_SIZE,
      preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
      applicationName: `reelpost-${role}`,
      stopOnSignals: false,
    });
    stops.push(database.shutdown);
    if (demo) await assertDemoOnlyDatabase(database.db);
    await installJobQueue(database.url);

    // Demo mode makes its own keys when none are given, kept beside the demo data so restarts can read old rows.
    const demoSecrets = needsDemoSecrets(config) ? loadOrCreateDemoSecrets(join(dataDir, 'demo-secrets.json')) : undefined;
    const tokens = createTokenCodec({ keys: encryptionKeysOf(config, demoSecrets), clock: systemClock });

    let tiktokApp: { clientKey: string; clientSecret: string; apiBaseUrl: string; authBaseUrl: string };
    let demoTikTok: DemoTikTok | undefined;
    if (demo) {
      demoTikTok = await startDemoTikTok({
        externalUrl: config.TIKTOK_EMULATOR_URL,
        publicUrl,
        callbackPath: CALLBACK_PATH,
        webhookPath: TIKTOK_WEBHOOK_PATH,
        mediaPrefix: DEMO_MEDIA_PATH,
      });
      stops.push(demoTikTok.stop);
      tiktokApp = { clientKey: demoTikTok.clientKey, clientSecret: demoTikTok.clientSecret, apiBaseUrl: demoTikTok.url, authBaseUrl: demoTikTok.url };
    } else {
      tiktokApp = {
        clientKey: config.TIKTOK_CLIENT_KEY!,
        clientSecret: config.TIKTOK_CLIENT_SECRET!,
        apiBaseUrl: config.TIKTOK_API_BASE_URL,
        authBaseUrl: config.TIKTOK_AUTH_BASE_URL,
      };
    }
    const redirectUri = config.TIKTOK_REDIRECT_URI ?? `${publicUrl}${CALLBACK_PATH}`;
    const client = createTikTokClient({
      ...tiktokApp,
      redirectUri,
      timeoutMs: config.TIKTOK_TIMEOUT_MS,
      pkce: config.TIKTOK_PKCE === 'off' ? 'off' : 'hex-s256',
      allowInsecureRequests: demo,
      // The client refuses http video URLs before TikTok would; a staging server whose storage is http (allowed by
      // config only against an emulator) must get past that check to reach the emulator's own.
      allowHttpVideoUrls: demo || config.VIDEO_URL_ALLOW_HTTP,
      rateLimits: { windowMs: config.TIKTOK_RATE_LIMIT_WINDOW_MS },
      onEvent: (event) => {
        recordTikTokEvent(event);
        if (event.type === 'failure') logger.warn({ msg: 'tiktok call failed', ...event });
      },
    });
    const tiktok = telemetry ? observeTikTokClient(client) : client;

    const settings = appSettingsOf(config, videoUrlPolicyOf(config, publicUrl));
    const deps: AppDeps = { db: database.db, clock: systemClock, tiktok, tokens, settings };
    // Request rate limits: servers only (a worker answers no requests), counted in Postgres for every process.
    const rateLimits = role === 'server' && config.RATE_LIMITS === 'on' ? createRateLimits(database.pool, config) : null;
    // Live status: a server's one LISTEN connection feeds its streams; a worker serves none.
    const postEvents = role === 'server' ? new PostEventHub({ perUser: config.LIVE_STREAMS_PER_USER, total: config.LIVE_STREAMS_TOTAL }) : undefined;
    if (postEvents) {
      const listener = startPostEventListener({
        connectionString: database.url,
        hub: postEvents,
        applicationName: 'reelpost-live',
        onConnectionError: (error, retryInMs) => logger.warn({ msg: 'live status: LISTEN connection lost', retryInMs, err: error }),
      });
      stops.push(async () => {
        postEvents.closeAll();
        await listener.stop();
      });
    }
    const requestDeps: AppDeps = { ...deps, limiter: rateLimits ?? undefined, postEvents };

    let worker: JobWorker | undefined;
    if (role === 'worker' || config.WORKER === 'on') {
      worker = await startJobWorker({
        pool: database.pool,
        jobs: allJobs(deps),
        concurrency: config.WORKER_CONCURRENCY,
        onError: (error, job) => logger.error({ msg: 'job failed', job, err: error }),
        onLog: (level, message) => logger[level === 'error' ? 'error' : 'warn']({ msg: message, source: 'job-queue' }),
      });
      // Stopped first on shutdown (pushed last): it finishes its running jobs while the pool is still open.
      stops.push(worker.stop);
      await startSweepChain(deps);
    }
    if (telemetry) {
      const advice = telemetry.tracing ? asyncContextAdvice() : undefined;
      if (advice) logger.info({ msg: advice });
      const jobNames = allJobs(deps).map((registration) => registration.job.name);
      registerGauges(telemetry.meter, { db: database.db, pool: database.pool, worker, role, jobNames });
    }
    const metricsAccess = telemetry && { scrape: telemetry.scrape, token: config.METRICS_TOKEN };

    const auth = createAuth(authSettingsOf(config, demoSecrets), { db: database.db, clock: systemClock });
    let demoInfo: Runtime['demo'] = null;
    if (demo && demoTikTok && auth.demo) {
      await seedDemo(deps, demoTikTok.controls, `${publicUrl}${DEMO_MEDIA_PATH}`);
      const { token } = await auth.demo.issueDemoToken({ email: DEMO_EMAIL });
      demoInfo = { email: DEMO_EMAIL, token, tiktokUrl: demoTikTok.url };
    }

    const createContext = createContextFactory({ ...requestDeps, authenticator: auth.authenticator });
    const demoAuth: DemoAuth | null = auth.demo;
    const app = createApp({
      db: database.db,
      logger,
      publicUrl,
      maxBatchItems: config.MAX_BATCH_ITEMS,
      trustProxyHops: config.TRUST_PROXY_HOPS,
      observe: telemetry && observeHttp(telemetry.meter, telemetry.tracing, apiRouteNamer(appRouter)),
      createContext: ({ req, requestId, clientIp, connectionParams }) => {
        const paramsToken = connectionParams?.token;
        const authorization = req.headers.get('authorization') ?? (paramsToken ? `Bearer ${paramsToken}` : null);
        return createContext({ headers: req.headers, authorization, requestId, clientIp });
      },
      routes: (routes) => {
        mountTikTokCallback(routes, { path: new URL(redirectUri).pathname, appUrl: config.APP_URL ?? publicUrl, deps, logger });
        mountTikTokWebhooks(routes, { deps, clientSecret: tiktokApp.clientSecret, clientKey: tiktokApp.clientKey, logger });
        if (demoAuth && demoTikTok) mountDemoRoutes(routes, { demo: demoAuth, tiktok: demoTikTok.controls, db: database.db, rateLimits });
        if (metricsAccess) mountMetrics(routes, metricsAccess);
        if (existsSync(join(webDistDirectory, 'index.html'))) mountWebAssets(routes, webDistDirectory);
      },
    });
    logger.info({ msg: 'runtime ready', role, demo, auth: auth.description, database: database.embedded ? 'embedded' : 'DATABASE_URL' });
    const opsApp = metricsAccess ? createOpsApp({ ...metricsAccess, db: database.db, worker }) : null;
    const closeStreams = () => postEvents?.closeAll();
    return { app, deps, port, publicUrl, demo: demoInfo, embeddedDataDir: database.embeddedDataDir, opsApp, closeStreams, shutdown };
  } catch (error) {
    await shutdown();
    throw error;
  }
}
