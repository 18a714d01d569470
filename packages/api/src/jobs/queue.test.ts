import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase } from '@reelpost/db';
import { useTestDatabase } from '@reelpost/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob, enqueueJob, type JobWorker, register, removeJob, startJobWorker } from './queue.js';

const database = useTestDatabase();
const greet = defineJob('test:greet', z.object({ name: z.string() }));
const noop = defineJob('test:listen-noop', z.object({}));

const workers: JobWorker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
});

async function worker(handle: (payload: { name: string }) => Promise<void>, concurrency = 2) {
  const started = await startJobWorker({
    pool: database().pool,
    jobs: [register(greet, handle)],
    concurrency,
    pollIntervalMs: 50,
  });
  workers.push(started);
  return started;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await sleep(25);
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function pendingJobs(): Promise<number> {
  const { rows } = await database().pool.query<{ count: number }>('SELECT count(*)::int AS count FROM graphile_worker.jobs');
  return rows[0]!.count;
}

describe('durable jobs', () => {
  it('run a job added in a committed transaction', async () => {
    const seen: string[] = [];
    await worker(async ({ name }) => void seen.push(name));
    await database().db.transaction().execute((trx) => enqueueJob(trx, greet, { name: 'committed' }));
    await until(() => seen.length === 1, 'the job');
    expect(seen).toEqual(['committed']);
  });

  it('never run a job whose transaction rolled back', async () => {
    const { db } = database();
    await db
      .transaction()
      .execute(async (trx) => {
        await enqueueJob(trx, greet, { name: 'rolled back' });
        throw new Error('abort');
      })
      .catch(() => undefined);
    expect(await pendingJobs()).toBe(0);
  });

  it('run each job once with two workers taking from one queue', async () => {
    const runs = new Map<string, number>();
    const count = async ({ name }: { name: string }) => void runs.set(name, (runs.get(name) ?? 0) + 1);
    await worker(count, 4);
    await worker(count, 4);
    for (let i = 0; i < 40; i++) await enqueueJob(database().db, greet, { name: `job-${i}` });
    await until(() => runs.size === 40, 'all forty jobs');
    await until(() => [...runs.values()].reduce((a, b) => a + b, 0) >= 40, 'the counts');
    expect([...runs.values()].every((times) => times === 1)).toBe(true);
  });

  it('keep one pending job per key, with the latest payload', async () => {
    const { db } = database();
    await enqueueJob(db, greet, { name: 'first' }, { jobKey: 'greet:one', runAt: new Date(Date.now() + 60_000) });
    await enqueueJob(db, greet, { name: 'second' }, { jobKey: 'greet:one' });
    const seen: string[] = [];
    await worker(async ({ name }) => void seen.push(name));
    await until(() => seen.length > 0, 'the keyed job');
    expect(seen).toEqual(['second']);
  });

  it('drop a pending job removed by its key', async () => {
    const { db } = database();
    await enqueueJob(db, greet, { name: 'cancelled' }, { jobKey: 'greet:cancel', runAt: new Date(Date.now() + 60_000) });
    await removeJob(db, 'greet:cancel');
    expect(await pendingJobs()).toBe(0);
  });

  it('refuse a payload that does not match the job', async () => {
    await expect(
      enqueueJob(database().db, greet, { name: 42 } as unknown as { name: string }),
    ).rejects.toThrow(/expected string/);
  });
});

describe('job definitions', () => {
  it('refuse a name graphile-worker cannot schedule', () => {
    expect(() => defineJob('has.a.dot', z.object({}))).toThrow(/not a valid job name/);
  });

  it('report the job loop alive while it polls and runs jobs, and not once stopped', async () => {
    let release = () => {};
    const running = worker(() => new Promise<void>((resolve) => (release = resolve)));
    const started = await running;
    expect(started.liveness()).toMatchObject({ alive: true, runningJobs: 0 });
    await enqueueJob(database().db, greet, { name: 'slow' });
    await until(() => started.liveness().runningJobs === 1, 'the job to start');
    expect(started.liveness().alive).toBe(true);
    release();
    await until(() => started.liveness().runningJobs === 0, 'the job to finish');
    await started.stop();
    expect(started.liveness().alive).toBe(false);
  });
});

/** The proxied connection whose answers are held back: the test can only cut it. */
interface HeldConnection {
  cut: () => void;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/**
 * A TCP proxy in front of the test database. The connection that sends `LISTEN "jobs:insert"` (graphile-worker's
 * listener) gets no more answers from Postgres: its LISTEN stays in flight until the test cuts it.
 */
async function proxyHoldingTheListener(): Promise<{ url: string; held: () => HeldConnection | undefined }> {
  const target = new URL(database().url);
  let held: HeldConnection | undefined;
  const sockets = new Set<Socket>();
  const proxy = createServer((worker) => {
    const postgres = connect(Number(target.port || 5432), target.hostname);
    sockets.add(worker).add(postgres);
    const connection: HeldConnection = { cut: () => (worker.destroy(), postgres.destroy()) };
    worker.on('data', (chunk: Buffer) => {
      if (!held && chunk.includes('LISTEN "jobs:insert"')) held = connection;
      postgres.write(chunk);
    });
    postgres.on('data', (chunk: Buffer) => {
      if (held !== connection) worker.write(chunk);
    });
    for (const [socket, other] of [[worker, postgres], [postgres, worker]] as const) {
      socket.on('error', () => other.destroy());
      socket.on('close', () => (other.destroy(), sockets.delete(socket)));
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => (sockets.forEach((socket) => socket.destroy()), proxy.close(() => resolve()))));
  const url = new URL(database().url);
  url.host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return { url: url.toString(), held: () => held };
}

describe('the listening connection', () => {
  it('a worker stopping while Postgres cuts its listening connection releases that connection once, and lives', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    closers.push(async () => void process.off('unhandledRejection', onUnhandled));
    const proxy = await proxyHoldingTheListener();
    const { pool, close } = createDatabase({ url: proxy.url, max: 4 });
    closers.push(close);
    const worker = await startJobWorker({ pool, jobs: [register(noop, async () => {})], pollIntervalMs: 50 });
    await until(() => proxy.held() !== undefined, 'the worker to send LISTEN');

    // Stopping releases the listener, whose UNLISTEN waits behind the unanswered LISTEN; the connection is then cut,
    // and the LISTEN's failure asks for the same release again. (250 ms is ample for the shutdown to reach the
    // listener; were it slower, the cut would come first, and the test would pass without proving anything — never
    // fail.)
    const stopping = worker.stop();
    await sleep(250);
    proxy.held()!.cut();
    await stopping;
    await sleep(200);

    expect(unhandled.map((reason) => (reason instanceof Error ? reason.message : String(reason)))).toEqual([]);
  });
});
