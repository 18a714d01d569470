import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '@reelpost/db';
import { createTestDatabase } from '@reelpost/db/testing';
import { createReelpostClient } from '@reelpost/client';
import { connectTikTokEmulator } from '@reelpost/tiktok-emulator';
import { describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../src/demo/seed.js';
import { useProcessCleanup } from './process-cleanup.js';
import { demoServerEnv, startDemoServer, startEmulatorProcess, startServer } from './processes.js';

const { children, databases } = useProcessCleanup();

/** Each test a database of its own: the servers of different tests meet different emulators. */
async function freshDatabaseUrl(): Promise<string> {
  const database = await createTestDatabase();
  databases.push(database);
  return database.url;
}

const running = (env: Record<string, string>) => startDemoServer(env, children);

// Real processes start in a second or two each; these tests wait for them, not for any timing they assert.
describe('the built server as a process', { timeout: 30_000 }, () => {
  it('survives a SIGKILL mid-publish: after a restart the post reaches PUBLISHED, initialised exactly once', async () => {
    const emulator = await startEmulatorProcess();
    children.push(emulator.child);
    const controls = connectTikTokEmulator(emulator.url);
    const port = await findFreePort();
    const env = demoServerEnv(await freshDatabaseUrl(), { PORT: String(port), TIKTOK_EMULATOR_URL: emulator.url });

    const first = await running(env);
    const client = createReelpostClient({ url: first.url, token: first.token });
    // Hold the post in TikTok's processing, so the server dies with it in flight.
    await controls.pauseProcessing();
    const posted = await client.tiktok.post.mutate({ taskId: DEMO_IDS.videoTask, title: 'Survives a crash #ai', privacyLevel: 'SELF_ONLY' });
    expect(posted.status).toBe('PROCESSING');
    // TikTok pulls the video from this server (the demo's media host): let it finish pulling first, so the crash
    // is ours alone and not also a media host vanishing mid-download (which TikTok rightly fails as video_pull_failed).
    for (let i = 0; i < 100; i++) {
      const [publish] = await controls.publishes();
      // readyAt is set once the bytes are complete.
      if (publish?.readyAt !== undefined) break;
      await sleep(50);
    }
    first.server.process.kill('SIGKILL');
    await first.server.exited;

    const second = await running(env);
    // TikTok carries on once our server is back (it pulls the video from us, so not before).
    await controls.resumeProcessing();
    const again = createReelpostClient({ url: second.url, token: second.token });
    let status = await again.tiktok.status.query({ taskId: DEMO_IDS.videoTask });
    for (let i = 0; i < 100 && status.status !== 'PUBLISHED'; i++) {
      await sleep(200);
      status = await again.tiktok.status.query({ taskId: DEMO_IDS.videoTask });
    }
    expect(status).toMatchObject({ status: 'PUBLISHED', postId: posted.postId, publishId: posted.publishId });
    expect(await controls.calls({ endpoint: 'video.init' })).toBe(1);
  });

  it('finishes a request in flight when told to stop, then exits 0', async () => {
    const emulator = await startEmulatorProcess();
    children.push(emulator.child);
    const controls = connectTikTokEmulator(emulator.url);
    const { server, url, token } = await running(demoServerEnv(await freshDatabaseUrl(), { TIKTOK_EMULATOR_URL: emulator.url, TIKTOK_TIMEOUT_MS: '1500' }));
    // Creator info hangs once (the client's retry then succeeds): the post takes a second or two.
    await controls.failNext('creator_info.query', 'timeout');
    const client = createReelpostClient({ url, token });
    const inFlight = client.tiktok.post.mutate({ taskId: DEMO_IDS.videoTask, title: 'In flight #ai', privacyLevel: 'SELF_ONLY' });
    const settled = inFlight.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await sleep(300);
    server.process.kill('SIGTERM');

    expect(await settled).toMatchObject({ value: { status: 'PROCESSING' } });
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('stops at start-up with one line per configuration problem', async () => {
    const server = startServer({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'postgres://127.0.0.1/unused' });
    children.push(server);
    expect((await server.exited).code).toBe(1);
    expect(server.output().trim().split('\n')).toEqual([
      'Invalid configuration:',
      expect.stringMatching(/^ {2}PORT: /) as string,
      expect.stringMatching(/^ {2}LOG_LEVEL: /) as string,
    ]);
  });

  it('stops at start-up with one clear line when the database cannot be reached', async () => {
    const port = await findFreePort();
    const server = startServer({ REELPOST_DEMO: '1', DATABASE_URL: `postgres://app:secret@127.0.0.1:${port}/app` });
    children.push(server);
    expect((await server.exited).code).toBe(1);
    expect(server.output().trim()).toBe(
      `Cannot reach Postgres at postgres://app:***@127.0.0.1:${port}/app: connect ECONNREFUSED 127.0.0.1:${port} (nothing is listening there; is Postgres running, and are host and port in DATABASE_URL right?)`,
    );
  });
});
