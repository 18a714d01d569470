import { useTestDatabase } from '@reelpost/db/testing';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { encodeTaskCursor } from './cursor.js';
import {
  addInstance,
  asJson,
  callerFor,
  createOwner,
  type Db,
  insertAccount,
  insertPost,
  insertTask,
} from './testing/fixtures.js';

const database = useTestDatabase();
let db: Db;

beforeAll(() => {
  db = database().db;
});

type Caller = ReturnType<typeof callerFor>;

/** Every page, following nextCursor, as a list of task ids in the order they came. */
async function allPages(caller: Caller, limit: number, instanceId?: string, between?: () => Promise<void>) {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const result = await caller.tasks.list({ limit, cursor, ...(instanceId && { instanceId }) });
    seen.push(...result.items.map((item) => item.id));
    cursor = result.nextCursor;
    if (cursor === null) return seen;
    await between?.();
  }
  throw new Error('pagination did not end');
}

async function insertTasksAt(instanceId: string, createdAt: string[]) {
  return db
    .insertInto('instance_tasks')
    .values(createdAt.map((at) => ({ instance_id: instanceId, type: 'video_generation', status: 'completed' as const, created_at: at })))
    .returning(['id', 'created_at'])
    .execute();
}

describe('tasks.list', () => {
  it("lists the caller's tasks across their instances, newest first, and nobody else's", async () => {
    const alice = await createOwner(db, 'alice');
    const second = await addInstance(db, alice.user.id);
    const bob = await createOwner(db, 'bob');
    const [oldest] = await insertTasksAt(alice.instance.id, ['2026-11-01T10:00:00Z']);
    const [middle] = await insertTasksAt(second.id, ['2026-11-02T10:00:00Z']);
    const [newest] = await insertTasksAt(alice.instance.id, ['2026-11-03T10:00:00Z']);
    await insertTasksAt(bob.instance.id, ['2026-11-02T12:00:00Z']);

    const page = await callerFor(db, alice.user.id).tasks.list({});
    expect(page.items.map((item) => item.id)).toEqual([newest?.id, middle?.id, oldest?.id]);
    expect(page.nextCursor).toBeNull();
  });

  it('lists only the named instance when given one', async () => {
    const alice = await createOwner(db, 'alice');
    const second = await addInstance(db, alice.user.id);
    await insertTask(db, alice.instance.id);
    const there = await insertTask(db, second.id);
    const page = await callerFor(db, alice.user.id).tasks.list({ instanceId: second.id });
    expect(page.items.map((item) => item.id)).toEqual([there.id]);
  });

  it('gives 20 tasks by default and a cursor to the rest', async () => {
    const alice = await createOwner(db, 'alice');
    await insertTasksAt(alice.instance.id, Array.from({ length: 21 }, (_, i) => `2026-11-01T10:00:${String(i).padStart(2, '0')}Z`));
    const page = await callerFor(db, alice.user.id).tasks.list({});
    expect(page.items).toHaveLength(20);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('gives no cursor when the page ends exactly at the last task', async () => {
    const alice = await createOwner(db, 'alice');
    await insertTasksAt(alice.instance.id, ['2026-11-01T10:00:00Z', '2026-11-01T10:00:01Z']);
    const page = await callerFor(db, alice.user.id).tasks.list({ limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBeNull();
  });

  it('pages through tasks created in the same instant once each, ordered by id', async () => {
    const alice = await createOwner(db, 'alice');
    const created = await insertTasksAt(alice.instance.id, Array.from({ length: 23 }, () => '2026-11-01T10:00:00Z'));
    const seen = await allPages(callerFor(db, alice.user.id), 5);
    expect(seen).toEqual(created.map((task) => task.id).sort().reverse());
  });

  it('tells apart tasks created microseconds apart', async () => {
    const alice = await createOwner(db, 'alice');
    const created = await insertTasksAt(alice.instance.id, [
      '2026-11-01T10:00:00.000001Z',
      '2026-11-01T10:00:00.000002Z',
      '2026-11-01T10:00:00.000003Z',
    ]);
    const seen = await allPages(callerFor(db, alice.user.id), 1);
    expect(seen).toEqual(created.map((task) => task.id).reverse());
  });

  it('shows every task once, with no gaps, while new tasks are inserted during paging', async () => {
    const alice = await createOwner(db, 'alice');
    const second = await addInstance(db, alice.user.id);
    const existing = new Set<string>();
    for (const instance of [alice.instance.id, second.id]) {
      for (const task of await insertTasksAt(instance, Array.from({ length: 30 }, () => new Date().toISOString()))) {
        existing.add(task.id);
      }
    }
    const insertedMeanwhile = new Set<string>();
    let paging = true;
    const inserter = (async () => {
      for (let i = 0; paging && i < 200; i++) {
        const task = await insertTask(db, i % 2 === 0 ? alice.instance.id : second.id);
        insertedMeanwhile.add(task.id);
      }
    })();
    // Also insert between pages, so that some inserts certainly land while the pagination is under way.
    const seen = await allPages(callerFor(db, alice.user.id), 7, undefined, async () => {
      insertedMeanwhile.add((await insertTask(db, alice.instance.id)).id);
    }).finally(() => {
      paging = false;
    });
    await inserter;

    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => existing.has(id))).toHaveLength(existing.size);
    expect(seen.every((id) => existing.has(id) || insertedMeanwhile.has(id))).toBe(true);
  });

  it('says whether each task has a video and its latest TikTok status', async () => {
    const alice = await createOwner(db, 'alice');
    const account = await insertAccount(db, alice.instance.id);
    const withVideo = await insertTask(db, alice.instance.id, {
      output_data: asJson({ videoUrl: 'https://storage.example.com/v.mp4' }),
      created_at: '2026-11-02T00:00:00Z',
    });
    await insertPost(db, { taskId: withVideo.id, accountId: account.id, requestedBy: alice.user.id, status: 'SENT_TO_INBOX' });
    await insertTask(db, alice.instance.id, { output_data: asJson({ text: 'hi' }), created_at: '2026-11-01T00:00:00Z' });
    const page = await callerFor(db, alice.user.id).tasks.list({});
    expect(page.items.map(({ hasVideo, tiktokStatus }) => ({ hasVideo, tiktokStatus }))).toEqual([
      { hasVideo: true, tiktokStatus: 'SENT_TO_INBOX' },
      { hasVideo: false, tiktokStatus: null },
    ]);
  });

  it('gives an empty page, not an error, for a well-formed cursor past the oldest task', async () => {
    const alice = await createOwner(db, 'alice');
    await insertTask(db, alice.instance.id);
    const cursor = encodeTaskCursor({ createdAt: '1999-01-01T00:00:00.000000Z', id: randomUUID() });
    expect(await callerFor(db, alice.user.id).tasks.list({ cursor })).toEqual({ items: [], nextCursor: null });
  });

  it("gives an empty list for the caller's instance without tasks", async () => {
    const alice = await createOwner(db, 'alice');
    expect(await callerFor(db, alice.user.id).tasks.list({ instanceId: alice.instance.id })).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it("answers 403 for another user's instance", async () => {
    const alice = await createOwner(db, 'alice');
    const bob = await createOwner(db, 'bob');
    await insertTask(db, bob.instance.id);
    await expect(callerFor(db, alice.user.id).tasks.list({ instanceId: bob.instance.id })).rejects.toSatisfy(
      (error: unknown) => error instanceof AppError && error.code === 'FORBIDDEN',
    );
  });

  it('answers 404 for an instance that does not exist', async () => {
    const alice = await createOwner(db, 'alice');
    await expect(callerFor(db, alice.user.id).tasks.list({ instanceId: randomUUID() })).rejects.toSatisfy(
      (error: unknown) => error instanceof AppError && error.appCode === 'INSTANCE_NOT_FOUND' && error.code === 'NOT_FOUND',
    );
  });
});
