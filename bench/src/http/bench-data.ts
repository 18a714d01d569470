import type { OpenedDatabase } from '@reelpost/db';
import { BENCH_SIZE, seedTaskLoad } from '@reelpost/api/testing/task-load';
import { z } from 'zod';

// The benchmark's data (10,000 tasks, 100,000 media rows, 20-step logs, a third of the completed tasks posted)
// and what the requests pick from: tasks with their owners, tasks whose post is final (tiktok.status answers
// from the database), and instances for tasks.list.

export interface OwnedTask {
  id: string;
  ownerId: string;
}

export interface BenchData {
  tasks: OwnedTask[];
  /** Tasks whose latest post is PUBLISHED or FAILED: tiktok.status does not ask TikTok about them. */
  finalPostTasks: OwnedTask[];
  instances: { id: string; ownerId: string }[];
  owners: { id: string; email: string }[];
  counts: { tasks: number; media: number; posts: number };
}

export async function seedBenchData(database: OpenedDatabase): Promise<BenchData> {
  const { db } = database;
  const tasks = await seedTaskLoad(db, BENCH_SIZE);
  const ownerIds = [...new Set(tasks.map((task) => task.ownerId))];
  const finalPostTasks = await db
    .selectFrom('tiktok_posts as p')
    .innerJoin('instance_tasks as t', 't.id', 'p.task_id')
    .innerJoin('instances as i', 'i.id', 't.instance_id')
    .where('p.status', 'in', ['PUBLISHED', 'FAILED'])
    .select(['t.id', 'i.owner_id as ownerId'])
    .execute();
  const instances = await db.selectFrom('instances').where('owner_id', 'in', ownerIds).select(['id', 'owner_id as ownerId']).execute();
  const owners = await db.selectFrom('users').where('id', 'in', ownerIds).select(['id', 'email']).execute();
  const counts = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('instance_tasks').select(eb.fn.countAll<string>().as('n')).as('tasks'),
      eb.selectFrom('instance_media').select(eb.fn.countAll<string>().as('n')).as('media'),
      eb.selectFrom('tiktok_posts').select(eb.fn.countAll<string>().as('n')).as('posts'),
    ])
    .executeTakeFirstOrThrow();
  return {
    tasks,
    finalPostTasks,
    instances,
    owners: owners.map((owner) => ({ id: owner.id, email: z.email().parse(owner.email) })),
    counts: { tasks: Number(counts.tasks), media: Number(counts.media), posts: Number(counts.posts) },
  };
}

/** A bearer token per owner, from the demo server's `POST /dev/token` (an existing user keeps their identity). */
export async function tokensFor(serverUrl: string, owners: BenchData['owners']): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const owner of owners) {
    const response = await fetch(`${serverUrl}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: owner.email }),
    });
    if (!response.ok) throw new Error(`POST /dev/token answered ${response.status}: ${await response.text()}`);
    const { token, userId } = z.object({ token: z.string(), userId: z.string() }).parse(await response.json());
    if (userId !== owner.id) throw new Error(`POST /dev/token signed in ${userId}, not the seeded owner ${owner.id}`);
    tokens.set(owner.id, token);
  }
  return tokens;
}
