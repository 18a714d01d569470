import type { Database, NewTikTokPost, PostStatus, TikTokPost, TikTokPostUpdate } from '@reelpost/db';
import { type Expression, expressionBuilder, type ExpressionBuilder, type Kysely, sql, type SqlBool, type Transaction } from 'kysely';
import { recordPostSettled } from '../observability/posting.js';
import { mirrorLatestPostToTask } from './mirror.js';
import { POST_MOVES, postMove, type PostCreation, type PostMoveName, type RecordsOf } from './post-moves.js';

// The only writer of tiktok_posts.status: each move of post-moves.ts's table is one UPDATE guarded by the statuses
// the move may leave (`WHERE status = ANY(from)`), or for a new post the INSERT with its first status. afterMove is
// the one place that runs after every move.

type Db = Kysely<Database> | Transaction<Database>;

/** The values move M writes: the columns its table entry records (required), any others the writer adds. */
export type MoveValues<M extends PostMoveName> = Omit<TikTokPostUpdate, 'id' | 'status'> &
  Required<Pick<TikTokPostUpdate, RecordsOf<M> | 'updated_at'>>;

/** A condition on the post besides its status (a claim, a deadline), over tiktok_posts' columns. */
export type PostFence = (eb: ExpressionBuilder<Database, 'tiktok_posts'>) => Expression<SqlBool>;

export interface MoveOptions {
  fence?: PostFence;
  /** More work in the move's transaction (jobs, the account's last use), once the post has moved. */
  also?: (trx: Transaction<Database>, post: TikTokPost) => Promise<void>;
}

function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Transaction<Database>) : db.transaction().execute(work);
}

/**
 * After every move, in its transaction: the task's tiktok_* columns follow the post, and a post that has just
 * settled is counted. (Issue 20's live status emits its event here.)
 */
async function afterMove(trx: Transaction<Database>, post: TikTokPost, from: PostStatus | null, options: MoveOptions): Promise<void> {
  await options.also?.(trx, post);
  await mirrorLatestPostToTask(trx, post.task_id);
  recordPostSettled(post, from ?? undefined, post.updated_at);
}

/** The guard every move's UPDATE carries: the post is in one of the move's `from` statuses (and passes its fence). */
function guardOf(move: PostMoveName, fence: PostFence | undefined): Expression<SqlBool> {
  const { from, fromFailedOnlyFor: failedOnlyFor } = postMove(move);
  // A move that creates a post leaves no status: as an update, it refuses every post.
  if (from.length === 0) return sql<SqlBool>`false`;
  const eb = expressionBuilder<Database, 'tiktok_posts'>();
  return eb.and([
    eb('tiktok_posts.status', 'in', [...from]),
    ...(failedOnlyFor === undefined ? [] : [eb.or([eb('tiktok_posts.status', '<>', 'FAILED'), eb('tiktok_posts.fail_reason', '=', failedOnlyFor)])]),
    ...(fence ? [fence(eb)] : []),
  ]);
}

/**
 * Moves the posts `target` selects, each only if its status allows the move; returns those that moved. The rows
 * are locked before the UPDATE reads them, so the status each left (`from`) is the one it was moved from.
 */
async function moveWhere<M extends PostMoveName>(
  trx: Transaction<Database>,
  target: Expression<SqlBool>,
  move: M,
  values: MoveValues<M>,
  options: MoveOptions,
): Promise<TikTokPost[]> {
  const rows = await trx
    .with('before', (db) => db.selectFrom('tiktok_posts').select(['id as before_id', 'status as before_status']).where(target).forUpdate())
    .updateTable('tiktok_posts')
    .from('before')
    .set({ ...values, status: POST_MOVES[move].to })
    .whereRef('tiktok_posts.id', '=', 'before.before_id')
    .where(guardOf(move, options.fence))
    .returningAll('tiktok_posts')
    .returning('before.before_status')
    .execute();
  const moved: TikTokPost[] = [];
  for (const { before_status: from, ...post } of rows) {
    await afterMove(trx, post, from, options);
    moved.push(post);
  }
  return moved;
}

/** Moves one post if its status (and the fence) allows; the stored post, or undefined when it did not move. */
export async function movePost<M extends PostMoveName>(
  db: Db,
  postId: string,
  move: M,
  values: MoveValues<M>,
  options: MoveOptions = {},
): Promise<TikTokPost | undefined> {
  const target = expressionBuilder<Database, 'tiktok_posts'>()('tiktok_posts.id', '=', postId);
  const [moved] = await inTransaction(db, (trx) => moveWhere(trx, target, move, values, options));
  return moved;
}

/** Moves every post the fence selects whose status allows the move (the sweep's way); returns those that moved. */
export async function movePosts<M extends PostMoveName>(db: Db, move: M, values: MoveValues<M>, fence: PostFence): Promise<TikTokPost[]> {
  const eb = expressionBuilder<Database, 'tiktok_posts'>();
  return inTransaction(db, (trx) => moveWhere(trx, eb.and([guardOf(move, undefined), fence(eb)]), move, values, { fence }));
}

/**
 * Creates a post with the first status of `move` — unless the task already has a post on the account (undefined:
 * the caller decides what the existing one means).
 */
export async function createPost<M extends PostCreation>(
  db: Db,
  move: M,
  values: Omit<NewTikTokPost, 'status'> & Required<Pick<NewTikTokPost, RecordsOf<M>>>,
  options: Pick<MoveOptions, 'also'> = {},
): Promise<TikTokPost | undefined> {
  return inTransaction(db, async (trx) => {
    const created = await trx
      .insertInto('tiktok_posts')
      .values({ ...values, status: POST_MOVES[move].to })
      .onConflict((oc) => oc.columns(['task_id', 'account_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (created) await afterMove(trx, created, null, options);
    return created;
  });
}
