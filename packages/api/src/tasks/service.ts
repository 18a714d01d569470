import { type Database, prepareQuery, type Task } from '@reelpost/db';
import { type Kysely, sql } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import { requireOwned } from '../auth/ownership.js';
import type { AppDeps } from '../deps.js';
import type { Session } from '../trpc.js';
import { encodeTaskCursor, type TaskCursor } from './cursor.js';
import { normaliseExecutionSteps, toExecutionLogs } from './execution-logs.js';
import { withFiniteNumbers } from './loose-json.js';
import { toAttachedMedia } from './media.js';
import { planTask } from './planning.js';
import { toContractPostStatus } from '../posting/view.js';
import { isContractPostStatus, type TaskDetail, type TaskList, type TaskListInput } from './schemas.js';
import { extractVideoOutput } from './video-output.js';
import { taskOutputOf } from './postable.js';

/**
 * tasks.detail's one statement: the task, its instance's owner (for the ownership check), its media and its latest
 * post, nested as JSON. Every part is an index lookup: the task and instance by primary key, media by
 * instance_media_task_idx, the post by tiktok_posts_task_created_idx.
 */
export function selectTaskDetail(db: Kysely<Database>, taskId: string) {
  return db
    .selectFrom('instance_tasks as t')
    .where('t.id', '=', taskId)
    .select([
      't.id',
      't.instance_id',
      't.type',
      't.status',
      't.title',
      't.input',
      't.output_data',
      't.execution_steps',
      't.error_message',
      't.started_at',
      't.completed_at',
      't.created_at',
      't.updated_at',
      't.tiktok_post_status',
      't.tiktok_publish_id',
      't.tiktok_post_url',
      't.tiktok_fail_reason',
      't.scheduled_post_time',
    ])
    .select((eb) => [
      // A scalar subquery rather than a join: the same index lookup, and less for the planner to weigh.
      eb
        .selectFrom('instances as i')
        .select('i.owner_id')
        .whereRef('i.id', '=', 't.instance_id')
        .$asScalar()
        .$notNull()
        .as('owner_id'),
      jsonArrayFrom(
        eb
          .selectFrom('instance_media as m')
          .select(['m.id', 'm.url', 'm.mime_type', 'm.kind', 'm.size_bytes', 'm.name'])
          .whereRef('m.task_id', '=', 't.id')
          .orderBy('m.created_at')
          .orderBy('m.id'),
      ).as('media'),
      jsonObjectFrom(
        eb
          .selectFrom('tiktok_posts as p')
          .select([
            'p.id',
            'p.account_id',
            'p.status',
            'p.publish_id',
            'p.public_url',
            'p.fail_reason',
            'p.scheduled_at',
            'p.updated_at',
          ])
          .whereRef('p.task_id', '=', 't.id')
          .orderBy('p.created_at', 'desc')
          .orderBy('p.id', 'desc')
          .limit(1),
      ).as('latest_post'),
    ]);
}

/** tasks.detail runs on every task page view: its statement is compiled once, not per request. */
const taskDetailById = prepareQuery((db: Kysely<Database>, taskId: string) => selectTaskDetail(db, taskId));

/** The fields every view of a task shares (list items and detail). */
function taskFieldsOf(row: Pick<Task, 'id' | 'instance_id' | 'type' | 'status' | 'title' | 'error_message' | 'created_at' | 'updated_at' | 'started_at' | 'completed_at'>) {
  return {
    id: row.id,
    instanceId: row.instance_id,
    type: row.type,
    status: row.status,
    title: row.title,
    errorMessage: row.error_message,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
  };
}

export async function getTaskDetail({ db }: Pick<AppDeps, 'db'>, session: Session, taskId: string): Promise<TaskDetail> {
  const [found] = await taskDetailById(db, taskId);
  const row = requireOwned(found, session, {
    code: 'TASK_NOT_FOUND',
    what: 'task',
  });
  const log = normaliseExecutionSteps(row.execution_steps);
  const post = row.latest_post;
  // Media whose URL is not http(s) never leave the API (an agent may write anything there).
  const attachedMedia = row.media.map(toAttachedMedia).filter((media) => media !== null);
  return {
    ...taskFieldsOf(row),
    input: withFiniteNumbers(row.input),
    planning: planTask(row.type, row.status, log),
    executionLogs: toExecutionLogs(log),
    attachedMedia,
    output: taskOutputOf(row.output_data, attachedMedia),
    // Timestamps nested in JSON arrive as ISO strings.
    tiktok: post
      ? {
          postId: post.id,
          accountId: post.account_id,
          status: toContractPostStatus(post.status),
          publishId: post.publish_id,
          publicUrl: post.public_url,
          failReason: post.fail_reason ?? (post.status === 'UNKNOWN' ? 'outcome_unknown' : null),
          scheduledAt: post.scheduled_at === null ? null : new Date(post.scheduled_at),
          updatedAt: new Date(post.updated_at),
        }
      : legacyPost(row),
  };
}

/**
 * Tasks posted by the backend before Reelpost have only the tiktok_* columns, no post row: show what they say.
 * The status is kept only when it is one of the contract's.
 */
function legacyPost(row: {
  tiktok_post_status: string | null;
  tiktok_publish_id: string | null;
  tiktok_post_url: string | null;
  tiktok_fail_reason: string | null;
  scheduled_post_time: Date | null;
  updated_at: Date;
}): TaskDetail['tiktok'] {
  // A membership test, not the schema's safeParse: most tasks were never posted, and a refused parse builds an error.
  const status = row.tiktok_post_status;
  if (status === null || !isContractPostStatus(status)) return null;
  return {
    postId: null,
    accountId: null,
    status,
    publishId: row.tiktok_publish_id,
    publicUrl: row.tiktok_post_url,
    failReason: row.tiktok_fail_reason,
    scheduledAt: row.scheduled_post_time,
    updatedAt: row.updated_at,
  };
}

/** created_at to the microsecond in UTC, for the cursor: a JS Date would round it to the millisecond. */
const exactCreatedAt = sql<string>`to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Which of a user's tasks a page reads: one instance's or all, from the start or after a cursor. */
interface TaskPageFilter {
  instanceId?: string | undefined;
  cursor?: TaskCursor | null | undefined;
}

/**
 * One page of a user's tasks, newest first, by keyset on (created_at, id), with one row more than asked for (it
 * tells whether there is a next page). For each of the user's instances (or the one asked for) the lateral subquery
 * reads at most limit + 1 rows from instance_tasks_instance_created_idx, starting after the cursor; the outer query
 * merges those, so the cost follows the page size and the number of instances, never the number of tasks.
 */
export function selectTaskPage(db: Kysely<Database>, ownerId: string, input: TaskListInput) {
  return selectTaskRows(db, ownerId, input, input.limit + 1);
}

/** selectTaskPage reading `rows` rows: a parameter of its own, so the prepared statements take it as a value. */
function selectTaskRows(db: Kysely<Database>, ownerId: string, { instanceId, cursor }: TaskPageFilter, rows: number) {
  return db
    .selectFrom('instances as i')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('instance_tasks as t')
          .select([
            't.id',
            't.instance_id',
            't.type',
            't.status',
            't.title',
            't.error_message',
            't.output_data',
            't.started_at',
            't.completed_at',
            't.created_at',
            't.updated_at',
            exactCreatedAt.as('created_at_exact'),
          ])
          .whereRef('t.instance_id', '=', 'i.id')
          .$call((query) =>
            cursor
              ? query.where(sql<boolean>`(t.created_at, t.id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`)
              : query,
          )
          .orderBy('t.created_at', 'desc')
          .orderBy('t.id', 'desc')
          .limit(rows)
          .as('t'),
      (join) => join.onTrue(),
    )
    .where('i.owner_id', '=', ownerId)
    .$call((query) => (instanceId === undefined ? query : query.where('i.id', '=', instanceId)))
    .selectAll('t')
    .select((eb) =>
      eb
        .selectFrom('tiktok_posts as p')
        .select('p.status')
        .whereRef('p.task_id', '=', 't.id')
        .orderBy('p.created_at', 'desc')
        .orderBy('p.id', 'desc')
        .limit(1)
        .as('latest_post_status'),
    )
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(rows);
}

type PageValues = { ownerId: string; rows: number };
type InstanceValues = PageValues & { instanceId: string };
/** A cursor's fields as values (a type alias: prepared values are records of strings and numbers). */
type AfterValues = { createdAt: string; id: string };

/**
 * tasks.list in each of its four shapes (all instances or one, the first page or one after a cursor), each compiled
 * once and run as a named prepared statement, like tasks.detail: building and compiling the lateral query cost more
 * than Postgres spends answering it.
 */
const taskPages = {
  first: prepareQuery((db: Kysely<Database>, v: PageValues) => selectTaskRows(db, v.ownerId, {}, v.rows)),
  after: prepareQuery((db: Kysely<Database>, v: PageValues & AfterValues) => selectTaskRows(db, v.ownerId, { cursor: v }, v.rows)),
  firstOfInstance: prepareQuery((db: Kysely<Database>, v: InstanceValues) => selectTaskRows(db, v.ownerId, { instanceId: v.instanceId }, v.rows)),
  afterOfInstance: prepareQuery((db: Kysely<Database>, v: InstanceValues & AfterValues) =>
    selectTaskRows(db, v.ownerId, { instanceId: v.instanceId, cursor: v }, v.rows),
  ),
};

function readTaskPage(db: Kysely<Database>, ownerId: string, { instanceId, cursor, limit }: TaskListInput) {
  const rows = limit + 1;
  if (instanceId === undefined) {
    return cursor ? taskPages.after(db, { ownerId, rows, createdAt: cursor.createdAt, id: cursor.id }) : taskPages.first(db, { ownerId, rows });
  }
  return cursor
    ? taskPages.afterOfInstance(db, { ownerId, rows, instanceId, createdAt: cursor.createdAt, id: cursor.id })
    : taskPages.firstOfInstance(db, { ownerId, rows, instanceId });
}

export async function listTasks({ db }: Pick<AppDeps, 'db'>, session: Session, input: TaskListInput): Promise<TaskList> {
  const { instanceId, limit } = input;
  const rows = await readTaskPage(db, session.userId, input);

  if (rows.length === 0 && instanceId !== undefined) {
    // An empty page of an instance: say so only if it is the caller's; unknown → 404, someone else's → 403.
    const instance = await db
      .selectFrom('instances')
      .select(['id', 'owner_id'])
      .where('id', '=', instanceId)
      .executeTakeFirst();
    requireOwned(instance, session, { code: 'INSTANCE_NOT_FOUND', what: 'instance' });
  }

  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      ...taskFieldsOf(row),
      hasVideo: extractVideoOutput(row.output_data) !== null,
      tiktokStatus: row.latest_post_status === null ? null : toContractPostStatus(row.latest_post_status),
    })),
    nextCursor:
      rows.length > limit && last ? encodeTaskCursor({ createdAt: last.created_at_exact, id: last.id }) : null,
  };
}
