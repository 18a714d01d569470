import { useTestDatabase } from '@reelpost/db/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { explain } from '../../test/explain.js';
import { BENCH_SIZE, type SeededTask, seedTaskLoad } from '../../test/task-load.js';
import { encodeTaskCursor } from './cursor.js';
import { selectTaskDetail, selectTaskPage } from './service.js';
import type { Db } from './testing/fixtures.js';

// The plans Postgres picks for tasks.detail and tasks.list on the benchmark's data set (10,000 tasks, 100,000
// media rows, analysed), with the planner's settings untouched: index lookups, never a scan of a whole table.

const database = useTestDatabase();
let db: Db;
let tasks: SeededTask[];

beforeAll(async () => {
  db = database().db;
  tasks = await seedTaskLoad(db, BENCH_SIZE);
}, 120_000);

describe('query plans on 10,000 tasks and 100,000 media rows', () => {
  it('has the data set the benchmark uses', async () => {
    const media = await db.selectFrom('instance_media').select(db.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    expect({ tasks: tasks.length, media: Number(media.count) }).toEqual({ tasks: 10_000, media: 100_000 });
  });

  it('reads a task detail through indexes only, media by instance_media_task_idx', async () => {
    const task = tasks[Math.floor(tasks.length / 2)]!;
    const { scans, text } = await explain(db, selectTaskDetail(db, task.id));
    // instances may be read whole while it is a handful of pages; the task, media and post tables never are.
    const bigTables = ['instance_tasks', 'instance_media', 'tiktok_posts'];
    expect(scans.filter((scan) => scan.nodeType === 'Seq Scan' && bigTables.includes(scan.relation ?? '')), text).toEqual([]);
    // An index scan, or a bitmap heap scan fed by a bitmap index scan: either way, driven by the index.
    expect(scans.map((scan) => scan.index), text).toContain('instance_media_task_idx');
    expect(scans.find((scan) => scan.relation === 'instance_tasks')?.index, text).toBe('instance_tasks_pkey');
    expect(scans.find((scan) => scan.relation === 'tiktok_posts')?.index, text).toBe('tiktok_posts_task_created_idx');
  });

  it('reads a later page of tasks.list through the keyset index', async () => {
    const after = await db
      .selectFrom('instance_tasks')
      .select(['id', (eb) => eb.cast<string>(eb.fn('to_char', [eb.fn('timezone', [eb.val('UTC'), 'created_at']), eb.val('YYYY-MM-DD"T"HH24:MI:SS.US"Z"')]), 'text').as('at')])
      .where('id', '=', tasks[500]!.id)
      .executeTakeFirstOrThrow();
    const cursor = { createdAt: after.at, id: after.id };
    expect(encodeTaskCursor(cursor)).toBeTruthy();
    const { scans, text } = await explain(db, selectTaskPage(db, tasks[500]!.ownerId, { cursor, limit: 20 }));
    expect(scans.filter((scan) => scan.relation === 'instance_tasks'), text).toEqual([
      expect.objectContaining({ index: 'instance_tasks_instance_created_idx' }),
    ]);
    // The keyset condition is part of the index condition, not a filter applied after reading.
    expect(text).toMatch(/Index Cond: .*ROW\(created_at, id\) < ROW/);
  });
});
