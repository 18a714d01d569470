import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve } from '@hono/node-server';
import { generateFernetKey } from '@reelpost/api';
import { defineJob, enqueueJob, register, startJobWorker } from '@reelpost/api/jobs';
import { createDatabase } from '@reelpost/db';
import { signTikTokWebhook } from '@reelpost/tiktok';
import { startTikTokEmulator, type TikTokEmulator } from '@reelpost/tiktok-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { type Runtime, startRuntime } from '../src/runtime.js';
import { type RestartablePostgres, startRestartablePostgres } from './restartable-postgres.js';

// The server while its Postgres restarts: callers are told to come back (503 DATABASE_UNAVAILABLE), never handed a
// 500, and TikTok's webhook deliveries that could not be recorded are refused so TikTok delivers them again.

// Only a Postgres this test started can be taken away; against DATABASE_URL's server the file is skipped.
const restartable = !process.env.DATABASE_URL;
if (!restartable) console.info('database-outage: skipped, DATABASE_URL points at a Postgres server this test cannot restart');

let postgres: RestartablePostgres;
let emulator: TikTokEmulator;
let runtime: Runtime;
let server: Server;
let base: string;

beforeAll(async () => {
  if (!restartable) return;
  postgres = await startRestartablePostgres();
  emulator = await startTikTokEmulator({ seed: `outage-${process.pid}` });
  const env = {
    DATABASE_URL: postgres.url,
    REELPOST_DEMO: '1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    WORKER: 'off',
    ENCRYPTION_KEY: generateFernetKey(),
    DEMO_JWT_SECRET: 'outage-test-demo-secret-0123456789abcdef',
    TIKTOK_EMULATOR_URL: emulator.url,
  };
  runtime = await startRuntime({ config: loadConfig(env), logger: createLogger({ level: 'silent' }), role: 'server' });
  server = serve({ fetch: runtime.app.fetch, port: runtime.port, hostname: '127.0.0.1' }) as Server;
  await new Promise((resolve) => server.once('listening', resolve));
  base = runtime.publicUrl;
}, 60_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await runtime?.shutdown();
  await emulator?.stop();
  await postgres?.close();
});

const authorized = () => ({ authorization: `Bearer ${runtime.demo!.token}` });

/** A signed TikTok event, as the emulator would deliver it. */
function webhook(event: string, openId: string, content: Record<string, unknown>) {
  const body = JSON.stringify({ client_key: emulator.app.clientKey, event, create_time: Math.floor(Date.now() / 1000), user_openid: openId, content: JSON.stringify(content) });
  return () =>
    fetch(`${base}/webhooks/tiktok`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'tiktok-signature': signTikTokWebhook({ rawBody: body, clientSecret: emulator.app.clientSecret, timestamp: Math.floor(Date.now() / 1000) }),
      },
      body,
    });
}

describe.skipIf(!restartable)('while Postgres restarts', { timeout: 60_000 }, () => {
  it('answers 503 DATABASE_UNAVAILABLE on REST and tRPC, redelivered webhooks land afterwards', async () => {
    const [account] = await runtime.deps.db.selectFrom('instance_tiktok_credentials').select(['id', 'open_id']).execute();
    const removed = webhook('authorization.removed', account!.open_id, { reason: 1 });
    expect((await fetch(`${base}/api/v1/tasks`, { headers: authorized() })).status).toBe(200);

    await postgres.restart(async () => {
      const rest = await fetch(`${base}/api/v1/tasks`, { headers: authorized() });
      expect(rest.status).toBe(503);
      expect(await rest.json()).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE', hint: expect.any(String) as string } });

      const trpc = await fetch(`${base}/trpc/tasks.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`, { headers: authorized() });
      expect(trpc.status).toBe(503);
      expect(await trpc.json()).toMatchObject({ error: { json: { data: { appCode: 'DATABASE_UNAVAILABLE', httpStatus: 503 } } } });

      // TikTok redelivers anything not answered 200: this one must not be acknowledged.
      expect((await removed()).status).toBe(503);
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
    });

    expect((await fetch(`${base}/api/v1/tasks`, { headers: authorized() })).status).toBe(200);
    expect((await removed()).status).toBe(200);
    const after = await runtime.deps.db.selectFrom('instance_tiktok_credentials').select('state').where('id', '=', account!.id).executeTakeFirstOrThrow();
    expect(after.state).toBe('needs_reauth');
  });
});

describe.skipIf(!restartable)('a worker while Postgres restarts', { timeout: 60_000 }, () => {
  it('keeps running: a job that fails while the database is down does not take the process down, later jobs run', async () => {
    const pool = createDatabase({ url: postgres.url, max: 4, applicationName: 'outage-test-worker' });
    const job = defineJob('test:outage', z.object({ name: z.string() }));
    const ran: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const worker = await startJobWorker({
      pool: pool.pool,
      pollIntervalMs: 100,
      jobs: [
        register(job, async ({ name }) => {
          ran.push(name);
          // The first job is still running when Postgres goes, and fails while it is away: graphile-worker cannot
          // record the failure.
          if (name === 'during') {
            await released;
            throw new Error('failed while the database was away');
          }
        }),
      ],
    });
    try {
      await enqueueJob(pool.db, job, { name: 'during' });
      for (let i = 0; i < 100 && !ran.includes('during'); i++) await sleep(50);
      await postgres.restart(async () => {
        release();
        await sleep(1_500);
      });
      await enqueueJob(pool.db, job, { name: 'after' });
      for (let i = 0; i < 200 && !ran.includes('after'); i++) await sleep(100);
      expect(ran).toContain('after');
    } finally {
      await worker.stop();
      await pool.close();
    }
  });
});
