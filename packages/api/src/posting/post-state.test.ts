import { useTestDatabase } from '@reelpost/db/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { allPostMoves, mayMove, POST_MOVES, type PostCreation, postMove } from './post-moves.js';
import { createPost, movePost, movePosts } from './post-state.js';
import { ALL_STATUSES, type PostRows, postRows, recordedValues } from './testing/post-rows.js';

// The table of post-moves.ts, walked against the database: every allowed move happens and records what the table
// says; every other (from, to) pair is refused by the guard and leaves the row as it was.

const database = useTestDatabase();
let rows: PostRows;

beforeAll(async () => {
  rows = await postRows(database().db);
});

const allowed = allPostMoves().flatMap(([name, move]) => move.from.map((from) => [name, from, move.to] as const));
const refused = allPostMoves().flatMap(([name, move]) =>
  ALL_STATUSES.filter((from) => !move.from.includes(from)).map((from) => [name, from, move.to] as const),
);

describe('an allowed move', () => {
  it.each(allowed)('%s: %s → %s happens and records what the table says', async (name, from, to) => {
    // The FAILED a move may leave: one that failed for the move's reason, when it names one.
    const post = await rows.postIn(from, from === 'FAILED' ? postMove(name).fromFailedOnlyFor : undefined);
    const values = recordedValues(name);

    const moved = await movePost(rows.db, post.id, name, values);

    expect(moved).toMatchObject({ id: post.id, status: to, ...values });
    expect(await rows.read(post.id)).toEqual(moved);
  });
});

describe('a move the table does not allow', () => {
  it.each(refused)('%s from %s (→ %s) is refused and leaves the post as it was', async (name, from) => {
    const post = await rows.postIn(from);

    expect(await movePost(rows.db, post.id, name, recordedValues(name))).toBeUndefined();
    expect(await rows.read(post.id)).toEqual(post);
  });

  const revivals = allPostMoves().filter(([, move]) => move.fromFailedOnlyFor !== undefined && move.from.includes('FAILED'));
  it.each(revivals)('%s from a FAILED post that did not fail by timing out is refused', async (name) => {
    const post = await rows.postIn('FAILED', 'spam_risk_too_many_posts');

    expect(mayMove(name, post)).toBe(false);
    expect(await movePost(rows.db, post.id, name, recordedValues(name))).toBeUndefined();
    expect(await rows.read(post.id)).toEqual(post);
  });
});

describe('the guarded update', () => {
  it('refuses a move whose fence the post does not pass, even from an allowed status', async () => {
    const post = await rows.postIn('RESERVED');

    const moved = await movePost(rows.db, post.id, 'refuse', recordedValues('refuse'), { fence: (eb) => eb('attempts', '=', post.attempts + 1) });

    expect(moved).toBeUndefined();
    expect(await rows.read(post.id)).toEqual(post);
  });

  it('copies the moved post into its task’s tiktok_* columns in the same transaction', async () => {
    const post = await rows.postIn('PROCESSING');

    await movePost(rows.db, post.id, 'timeOut', recordedValues('timeOut'));

    const task = await rows.db.selectFrom('instance_tasks').select(['tiktok_post_status', 'tiktok_fail_reason']).where('id', '=', post.task_id).executeTakeFirstOrThrow();
    expect(task).toEqual({ tiktok_post_status: 'FAILED', tiktok_fail_reason: 'recorded_reason' });
  });

  it('moves every post a sweep selects, and only those whose status allows it', async () => {
    const lost = await rows.postIn('RESERVED');
    const sent = await rows.postIn('PROCESSING');
    const selected = (eb: Parameters<Parameters<typeof movePosts>[3]>[0]) => eb('id', 'in', [lost.id, sent.id]);

    const moved = await movePosts(rows.db, 'loseWorker', recordedValues('loseWorker'), selected);

    expect(moved.map((post) => [post.id, post.status])).toEqual([[lost.id, 'UNKNOWN']]);
    expect(await rows.read(sent.id)).toEqual(sent);
  });
});

describe('a new post', () => {
  const creations: PostCreation[] = ['reserve', 'schedule'];

  it.each(creations)('%s creates the post in the move’s status, with what it records', async (name) => {
    const values = { ...(await rows.newPost()), ...recordedValues(name) };

    const created = await createPost(rows.db, name, values);

    expect(created).toMatchObject({ task_id: values.task_id, status: POST_MOVES[name].to, ...recordedValues(name) });
  });

  it('is not created where the task already has a post on the account', async () => {
    const existing = await rows.postIn('FAILED', 'internal');

    expect(await createPost(rows.db, 'reserve', await rows.newPost(existing.task_id))).toBeUndefined();
    expect(await rows.read(existing.id)).toEqual(existing);
  });
});
