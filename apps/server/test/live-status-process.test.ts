import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase } from '@reelpost/db/testing';
import { connectTikTokEmulator } from '@reelpost/tiktok-emulator';
import { describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../src/demo/seed.js';
import { useProcessCleanup } from './process-cleanup.js';
import { demoServerEnv, startDemoServer, startEmulatorProcess } from './processes.js';
import { readSse, sseMessages } from './sse.js';

const { children, databases } = useProcessCleanup();

const running = (env: Record<string, string>) => startDemoServer(env, children);

interface PostEventBody {
  postId: string;
  status: string;
  publicUrl: string | null;
  seq: number;
}

// Two built servers on one database, as behind a load balancer: a stream's server dies, its client reconnects to the
// other with the last event id.
describe('live status across server processes', { timeout: 60_000 }, () => {
  it('a stream whose server is killed resumes on another process: every change once, in order', async () => {
    const emulator = await startEmulatorProcess();
    children.push(emulator.child);
    const controls = connectTikTokEmulator(emulator.url);
    const database = await createTestDatabase();
    databases.push(database);
    const env = demoServerEnv(database.url, { TIKTOK_EMULATOR_URL: emulator.url });
    const first = await running(env);
    await controls.pauseProcessing();
    const posted = await fetch(`${first.url}/api/v1/tasks/${DEMO_IDS.videoTask}/post-to-tiktok`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Live across processes #ai', privacyLevel: 'SELF_ONLY' }),
    });
    expect(posted.status).toBe(200);
    // TikTok pulls the video from the first server: let it finish before that server dies.
    for (let i = 0; i < 100 && (await controls.publishes())[0]?.readyAt === undefined; i++) await sleep(50);
    // The second server starts now: TikTok's webhooks go to it from here on.
    const second = await running(env);

    const stream = await fetch(`${first.url}/api/v1/tasks/${DEMO_IDS.videoTask}/post-events`, { headers: { authorization: `Bearer ${first.token}` } });
    const beforeKill: { id: string | null; event: PostEventBody }[] = [];
    for await (const message of sseMessages(stream)) {
      beforeKill.push({ id: message.id, event: JSON.parse(message.data) as PostEventBody });
      break;
    }
    expect(beforeKill.map(({ event }) => event.status)).toEqual(['PROCESSING']);
    first.server.process.kill('SIGKILL');
    await first.server.exited;

    // TikTok finishes while no stream is connected anywhere; the reconnect reads it from the row.
    await controls.resumeProcessing();
    const resumed = await fetch(`${second.url}/api/v1/tasks/${DEMO_IDS.videoTask}/post-events`, {
      headers: { authorization: `Bearer ${second.token}`, 'last-event-id': beforeKill[0]!.id! },
    });
    const afterKill = (await readSse(resumed, (message) => message.event === 'end')).filter((message) => message.event === 'post');
    const events = [...beforeKill.map(({ event }) => event), ...afterKill.map((message) => JSON.parse(message.data) as PostEventBody)];

    expect(events.at(-1)).toMatchObject({ status: 'PUBLISHED', publicUrl: expect.stringMatching(/^https:\/\/www\.tiktok\.com\//) as string });
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  });
});
