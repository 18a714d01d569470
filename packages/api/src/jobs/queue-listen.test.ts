import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase } from '@reelpost/db';
import { useTestDatabase } from '@reelpost/db/testing';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob, register, startJobWorker } from './queue.js';

const database = useTestDatabase();
const noop = defineJob('test:listen-noop', z.object({}));

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

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await sleep(25);
  }
  throw new Error(`gave up waiting for ${what}`);
}

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

  // Stopping releases the listener, whose UNLISTEN waits behind the unanswered LISTEN; the connection is then cut, and
  // the LISTEN's failure asks for the same release again. (250 ms is ample for the shutdown to reach the listener;
  // were it slower, the cut would come first, and the test would pass without proving anything — never fail.)
  const stopping = worker.stop();
  await sleep(250);
  proxy.held()!.cut();
  await stopping;
  await sleep(200);

  expect(unhandled.map((reason) => (reason instanceof Error ? reason.message : String(reason)))).toEqual([]);
});
