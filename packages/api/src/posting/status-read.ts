import { type Database, prepareQuery, type TikTokPost } from '@reelpost/db';
import type { Kysely } from 'kysely';
import { POST_VIEW_COLUMNS } from './view.js';

/**
 * What tiktok.status, tiktok.cancel and tiktok.watch read of a post: its view's columns, whether TikTok is still to be
 * asked, and the sequence number of its last change (where a live stream starts).
 */
export const POST_READ_COLUMNS = [...POST_VIEW_COLUMNS, 'next_check_at', 'event_seq'] as const;
export type PostRead = Pick<TikTokPost, (typeof POST_READ_COLUMNS)[number]>;

/**
 * A task's owner and its latest post, in one statement: the task by primary key, its instance by primary key, the
 * post by tiktok_posts_task_created_idx. No row: no such task; a row whose post columns are null: a task never posted.
 */
export function selectLatestPostOfTask(db: Kysely<Database>, taskId: string) {
  return db
    .selectFrom('instance_tasks as t')
    .innerJoin('instances as i', 'i.id', 't.instance_id')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('tiktok_posts as p')
          .select(POST_READ_COLUMNS)
          .whereRef('p.task_id', '=', 't.id')
          .orderBy('p.created_at', 'desc')
          .orderBy('p.id', 'desc')
          .limit(1)
          .as('p'),
      (join) => join.onTrue(),
    )
    .where('t.id', '=', taskId)
    .select('i.owner_id')
    .selectAll('p');
}

/** tiktok.status is polled while a post is in flight: its read is compiled once and prepared, like tasks.detail. */
const latestPostOfTaskById = prepareQuery((db: Kysely<Database>, taskId: string) => selectLatestPostOfTask(db, taskId));

type LatestPostRow = Awaited<ReturnType<typeof latestPostOfTaskById>>[number];

/** The task's owner (undefined: no such task) and its latest post (undefined: never posted). */
export async function readLatestPostOfTask(
  db: Kysely<Database>,
  taskId: string,
): Promise<{ owner_id: string; post: PostRead | undefined } | undefined> {
  const [row] = await latestPostOfTaskById(db, taskId);
  if (!row) return undefined;
  return { owner_id: row.owner_id, post: postOf(row) };
}

function postOf(row: LatestPostRow): PostRead | undefined {
  // A left join's columns are all null without a post, and the post's own (id never null) with one.
  if (row.id === null) return undefined;
  return row as PostRead;
}
