import superjson from 'superjson';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { BenchData } from './bench-data.js';
import type { RequestSpec } from './load.js';

// What is measured, and how each request is made: the way @reelpost/client asks (tRPC's batch link, GET, superjson),
// the REST surface, and the floor. Every request picks its row at random (seeded, so runs ask the same things).

export interface Target {
  /** procedure (or the floor) and the surface it is reached through */
  name: string;
  surface: 'tRPC' | 'REST' | 'floor' | 'stack';
  /**
   * which process answers: the server; the same server with tracing on (exporting to a collector stub); the same
   * server with the request rate limits off; a second server as configured as the first, answering only the detail
   * read beside those two; the floor; the floor's statement through Hono and tRPC alone
   */
  on: 'server' | 'traced' | 'unlimited' | 'baseline' | 'floor' | 'stack';
  next: () => RequestSpec;
  /** Rows of one group are compared with each other: consecutive in the list, measured in turns (main.ts). */
  group?: string;
}

/** Items at random from pure-rand's xoroshiro128+, seeded, so every run asks the same things. */
function picker<T>(items: readonly T[], seed: number): () => T {
  if (items.length === 0) throw new Error('nothing to pick from');
  const generator = xoroshiro128plus(seed);
  return () => items[uniformInt(generator, 0, items.length - 1)]!;
}

/** A query as @reelpost/client sends it: httpBatchLink, one call in the batch, superjson-encoded input. */
export function trpcQueryPath(procedure: string, input: unknown): string {
  return `/trpc/${procedure}?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: superjson.serialize(input) }))}`;
}

export const TRACED_DETAIL = 'tasks.detail, tracing on';
/**
 * The detail read with tracing on, with the rate limits off, and with neither, measured in turns. The last is a
 * server process of its own: the main server also answers the list, status and REST rows, and a process that has run
 * other code has slower (polymorphic) code and a larger heap for the detail read than one that has only ever read
 * details — which by itself made the switches look 5–10 % cheaper or dearer than they are.
 */
const DETAIL_SWITCHES = 'detail switches';
export const SWITCH_BASELINE = 'tasks.detail, switches as configured';
const STACK_HONO = 'stack floor: Hono';
const STACK_TRPC = 'stack floor: Hono + tRPC + superjson';
export const UNLIMITED_DETAIL = 'tasks.detail, limits off';

export function benchTargets(data: BenchData, tokens: Map<string, string>): Target[] {
  const auth = (ownerId: string) => ({ authorization: `Bearer ${tokens.get(ownerId) ?? ''}` });
  // The tRPC detail read of the tasks seed 1 picks: each row asking it has a sequence of its own, the same tasks.
  const trpcDetail = () => {
    const task = picker(data.tasks, 1);
    return () => {
      const { id, ownerId } = task();
      return { path: trpcQueryPath('tasks.detail', { taskId: id }), headers: auth(ownerId) };
    };
  };
  const restTask = picker(data.tasks, 2);
  const finalPost = picker(data.finalPostTasks, 3);
  const instance = picker(data.instances, 4);
  const floorTask = picker(data.tasks, 5);
  // The floor's own sequence of tasks (the same seed), asked through the stack floor.
  const honoTask = picker(data.tasks, 5);
  const stackTask = picker(data.tasks, 5);
  return [
    {
      name: 'tasks.detail',
      surface: 'tRPC',
      on: 'server',
      next: trpcDetail(),
    },
    {
      name: SWITCH_BASELINE,
      surface: 'tRPC',
      on: 'baseline',
      group: DETAIL_SWITCHES,
      next: trpcDetail(),
    },
    {
      // The same requests (the same seed) to a server exporting every span, in turns with the baseline.
      name: TRACED_DETAIL,
      surface: 'tRPC',
      on: 'traced',
      group: DETAIL_SWITCHES,
      next: trpcDetail(),
    },
    {
      // The same requests again to a server with RATE_LIMITS=off: what counting every request in Postgres costs.
      name: UNLIMITED_DETAIL,
      surface: 'tRPC',
      on: 'unlimited',
      group: DETAIL_SWITCHES,
      next: trpcDetail(),
    },
    {
      name: 'tasks.detail',
      surface: 'REST',
      on: 'server',
      next: () => {
        const { id, ownerId } = restTask();
        return { path: `/api/v1/tasks/${id}/detail`, headers: auth(ownerId) };
      },
    },
    {
      name: 'tiktok.status (final post)',
      surface: 'tRPC',
      on: 'server',
      next: () => {
        const { id, ownerId } = finalPost();
        return { path: trpcQueryPath('tiktok.status', { taskId: id }), headers: auth(ownerId) };
      },
    },
    {
      name: 'tasks.list (20)',
      surface: 'tRPC',
      on: 'server',
      next: () => {
        const { id, ownerId } = instance();
        return { path: trpcQueryPath('tasks.list', { instanceId: id, limit: 20 }), headers: auth(ownerId) };
      },
    },
    {
      name: STACK_HONO,
      surface: 'stack',
      on: 'stack',
      next: () => ({ path: `/hono/detail/${honoTask().id}`, headers: {} }),
    },
    {
      name: STACK_TRPC,
      surface: 'stack',
      on: 'stack',
      next: () => ({ path: trpcQueryPath('tasks.detail', { taskId: stackTask().id }), headers: {} }),
    },
    {
      name: 'floor: detail SQL',
      surface: 'floor',
      on: 'floor',
      next: () => ({ path: `/detail/${floorTask().id}`, headers: {} }),
    },
  ];
}
