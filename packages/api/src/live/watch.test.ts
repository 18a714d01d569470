import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { contextFor, sessionFor } from '../../test/deps.js';
import { collect, currentStateThenChanges, useLiveStatus } from '../../test/live-world.js';
import { usePostingWorld } from '../../test/posting-world.js';
import { ownerWithInstance } from '../../test/tiktok.js';
import { receiveTikTokWebhook } from '../posting/webhooks.js';
import { runStatusJob } from '../posting/workers.js';
import { createCaller } from '../root.js';
import type { PostEvent } from './schemas.js';

const world = usePostingWorld();
const live = useLiveStatus(world, { perUser: 3, total: 100 });

const privatePost = { title: 'Made by an agent #ai', privacyLevel: 'SELF_ONLY' as const };
const publicPost = { title: 'Made by an agent #ai', privacyLevel: 'PUBLIC_TO_EVERYONE' as const };

/** An in-process caller gets tRPC's tracked envelopes as they are: [id, event, marker]. */
type Tracked = [string, PostEvent, ...unknown[]];
const envelopes = (items: unknown[]) => items as unknown as Tracked[];
const eventsOf = (items: unknown[]) => envelopes(items).map(([, event]) => event);

/** TikTok's webhooks delivered to the receiver the server mounts, as in production. */
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});
async function deliverWebhooksToUs() {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const signatureHeader = req.headers['tiktok-signature'] as string | undefined;
      void receiveTikTokWebhook(world().deps, world().emulator.app, { rawBody: Buffer.concat(chunks).toString('utf8'), signatureHeader }).then(
        (result) => res.writeHead(result.accepted ? 200 : 401).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  await world().emulator.configureApp({ webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/tiktok` });
}

describe('tiktok.watch: every change, in order, through LISTEN/NOTIFY', () => {
  it('follows a webhook-driven publish to PUBLISHED with its link, seq increasing, then ends', async () => {
    await deliverWebhooksToUs();
    const { caller, task } = await world().creator();
    const { postId } = await caller.tiktok.post({ taskId: task.id, ...publicPost });
    const reading = await currentStateThenChanges(await caller.tiktok.watch({ taskId: task.id }));
    await world().emulator.advance(120_000);
    await world().emulator.settle();

    const items = envelopes(await reading.all());
    const events = eventsOf(items);
    expect(events.map((event) => [event.status, event.publicUrl === null])).toEqual([
      ['PROCESSING', true],
      ['PUBLISHED', true],
      ['PUBLISHED', false],
    ]);
    expect(events.map((event) => event.seq)).toEqual([...events.map((event) => event.seq)].sort((a, b) => a - b));
    expect(new Set(events.map((event) => event.seq)).size).toBe(events.length);
    expect(items.map(([id]) => id)).toEqual(events.map((event) => `${postId}:${event.seq}`));
    expect(events.at(-1)!.publicUrl).toMatch(/\/video\/\d+$/);
    expect(live().hub.openStreams).toBe(0);
  });

  it('hears a status job’s transition and a write by plain SQL alike: the trigger catches every writer', async () => {
    const { caller, task } = await world().creator({ label: 'worker' });
    const { postId } = await caller.tiktok.post({ taskId: task.id, ...privatePost });
    const reading = await currentStateThenChanges(await caller.tiktok.watch({ taskId: task.id }));
    await sql`UPDATE tiktok_posts SET fail_reason = 'not_a_failure_yet' WHERE id = ${postId}`.execute(world().deps.db);
    await world().emulator.advance(120_000);
    await runStatusJob(world().deps, postId);

    const events = eventsOf(await reading.all());
    expect(events.map((event) => event.status)).toEqual(['PROCESSING', 'PROCESSING', 'PUBLISHED']);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3]);
  });

  it('does not count polls that change nothing a watcher sees', async () => {
    const { caller, task } = await world().creator({ label: 'quiet' });
    const { postId } = await caller.tiktok.post({ taskId: task.id, ...privatePost });
    await runStatusJob(world().deps, postId);
    const row = await world().deps.db.selectFrom('tiktok_posts').select(['event_seq', 'status']).where('id', '=', postId).executeTakeFirstOrThrow();
    expect(row).toEqual({ event_seq: 1, status: 'PROCESSING' });
  });
});

describe('tiktok.watch: refused before any event, like tiktok.status', () => {
  it('401 without a token', async () => {
    const anonymous = createCaller(contextFor(world().deps, null));
    await expect(anonymous.tiktok.watch({ taskId: crypto.randomUUID() })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('403 for another user’s task, and the stranger holds no stream', async () => {
    const { caller, task } = await world().creator({ label: 'owner' });
    await caller.tiktok.post({ taskId: task.id, ...privatePost });
    const { user } = await ownerWithInstance(world().deps.db, 'stranger');
    const stranger = createCaller(contextFor(world().deps, sessionFor(user.id)));
    await expect(stranger.tiktok.watch({ taskId: task.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(live().hub.openStreams).toBe(0);
  });

  it('404 POST_NOT_FOUND for a task not posted yet', async () => {
    const { caller, task } = await world().creator({ label: 'unposted' });
    await expect(caller.tiktok.watch({ taskId: task.id })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/not been posted/) as string });
  });

  it('429 TOO_MANY_STREAMS past the per-user limit', async () => {
    const { caller, task } = await world().creator({ label: 'greedy' });
    await caller.tiktok.post({ taskId: task.id, ...privatePost });
    const open = await Promise.all([1, 2, 3].map(() => caller.tiktok.watch({ taskId: task.id })));
    await expect(caller.tiktok.watch({ taskId: task.id })).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringMatching(/Too many live status streams/) as string });
    for (const stream of open) await stream[Symbol.asyncIterator]().return?.();
  });
});

describe('tiktok.watch: resuming', () => {
  it('with the last event id: nothing seen again, then the next change', async () => {
    const { caller, task } = await world().creator({ label: 'resume' });
    const { postId } = await caller.tiktok.post({ taskId: task.id, ...privatePost });
    const reading = collect(await caller.tiktok.watch({ taskId: task.id, lastEventId: `${postId}:1` }));
    await world().emulator.advance(120_000);
    await runStatusJob(world().deps, postId);
    expect(eventsOf(await reading).map((event) => [event.status, event.seq])).toEqual([['PUBLISHED', 2]]);
  });

  it('after missed changes: the current state once, read from the row', async () => {
    const { caller, task } = await world().creator({ label: 'missed' });
    const { postId } = await caller.tiktok.post({ taskId: task.id, ...privatePost });
    await world().emulator.advance(120_000);
    await runStatusJob(world().deps, postId);
    const events = eventsOf(await collect(await caller.tiktok.watch({ taskId: task.id, lastEventId: `${postId}:1` })));
    expect(events.map((event) => [event.status, event.seq])).toEqual([['PUBLISHED', 2]]);
    // After the final event: the stream ends at once, with nothing.
    expect(await collect(await caller.tiktok.watch({ taskId: task.id, lastEventId: `${postId}:2` }))).toEqual([]);
  });

  it('loses nothing when the LISTEN connection is cut: every stream re-reads its post on reconnect', async () => {
    const { caller, task } = await world().creator({ label: 'cut' });
    const { postId } = await caller.tiktok.post({ taskId: task.id, ...privatePost });
    const stream = await caller.tiktok.watch({ taskId: task.id });
    expect(eventsOf(await collect(stream, { limit: 1 }).catch(() => []))).toHaveLength(1);
    const reading = collect(await caller.tiktok.watch({ taskId: task.id, lastEventId: `${postId}:1` }));
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'reelpost-live' AND datname = current_database()`.execute(
      world().deps.db,
    );
    await world().emulator.advance(120_000);
    await runStatusJob(world().deps, postId);
    expect(eventsOf(await reading).map((event) => [event.status, event.seq])).toEqual([['PUBLISHED', 2]]);
  });
});

describe('tiktok.watch: closing', () => {
  it('closes a stream when its token expires, with 401', async () => {
    const { user, task, caller } = await world().creator({ label: 'expiring' });
    await caller.tiktok.post({ taskId: task.id, ...privatePost });
    const expiring = createCaller({ ...contextFor(world().deps, sessionFor(user.id)), tokenExpiresAt: () => new Date(Date.now() + 300) });
    const stream = await expiring.tiktok.watch({ taskId: task.id });
    await expect(collect(stream)).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/expired/) as string });
    expect(live().hub.openStreams).toBe(0);
  });

  it('ends every stream on shutdown with a 503 (so clients reconnect elsewhere) and refuses new ones', async () => {
    const { caller, task } = await world().creator({ label: 'shutdown' });
    await caller.tiktok.post({ taskId: task.id, ...privatePost });
    const stream = await caller.tiktok.watch({ taskId: task.id });
    const iterator = stream[Symbol.asyncIterator]();
    expect(eventsOf([(await iterator.next()).value])[0]!.status).toBe('PROCESSING');
    const next = iterator.next();
    live().hub.closeAll();
    await expect(next).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/shutting down/) as string });
    expect(live().hub.openStreams).toBe(0);
    await expect(caller.tiktok.watch({ taskId: task.id })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
