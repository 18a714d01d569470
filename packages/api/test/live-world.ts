import { afterEach, beforeEach } from 'vitest';
import { PostEventHub, type StreamLimits } from '../src/live/hub.js';
import { type PostEventListener, startPostEventListener } from '../src/live/listener.js';
import type { PostingWorld } from './posting-world.js';

export interface LiveWorld {
  hub: PostEventHub;
  listener: PostEventListener;
}

/**
 * A posting world whose deps serve live status, as a server process does: a hub and its own LISTEN connection on the
 * test database. Call after usePostingWorld(): its deps exist by then, and creators made later get the hub.
 */
export function useLiveStatus(world: () => PostingWorld, limits: StreamLimits = { perUser: 50, total: 5_000 }): () => LiveWorld {
  let live: LiveWorld | undefined;
  beforeEach(async () => {
    const hub = new PostEventHub(limits);
    const listener = startPostEventListener({ connectionString: world().databaseUrl, hub, backoffMs: { first: 20, max: 200 } });
    await listener.ready;
    world().deps.postEvents = hub;
    live = { hub, listener };
  });
  afterEach(async () => {
    live?.hub.closeAll();
    await live?.listener.stop();
    live = undefined;
  });
  return () => {
    if (!live) throw new Error('useLiveStatus(): only available inside tests');
    return live;
  };
}

/** Reads a stream to its end (or until `limit` items), failing after `timeoutMs` rather than hanging the test. */
export async function collect<T>(stream: AsyncIterable<T>, { limit = Infinity, timeoutMs = 10_000 } = {}): Promise<T[]> {
  const items: T[] = [];
  const iterator = stream[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (items.length < limit) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`stream gave ${items.length} items, then nothing for ${timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
    });
    try {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) return items;
      items.push(next.value);
    } finally {
      clearTimeout(timer);
    }
  }
  await iterator.return?.();
  return items;
}

/**
 * Reads a stream's first event — the post's current state, read from its row — before the test changes anything, then
 * keeps collecting: a change committed before that first read is folded into it (correctly), not sent on its own.
 */
export async function currentStateThenChanges<T>(stream: AsyncIterable<T>): Promise<{ all: () => Promise<T[]> }> {
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new Error('the stream ended before its first event');
  const rest = collect({ [Symbol.asyncIterator]: () => iterator });
  // Its failure is the test's once it asks for all(); until then it must not count as unhandled.
  rest.catch(() => {});
  return { all: async () => [first.value, ...(await rest)] };
}
