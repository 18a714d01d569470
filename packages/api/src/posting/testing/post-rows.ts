import { randomUUID } from 'node:crypto';
import { type NewTikTokPost, POST_STATUSES, type PostStatus, type TikTokPost, type TikTokPostUpdate } from '@reelpost/db';
import { asJson, createOwner, type Db, insertAccount, insertPost, insertTask } from '../../tasks/testing/fixtures.js';
import { type PostColumn, type PostMoveName, postMove } from '../post-moves.js';
import type { MoveValues } from '../post-state.js';

// Rows and values for the state machine's tests: a post in any status, and a value for every column a move records.

export const ALL_STATUSES: readonly PostStatus[] = POST_STATUSES;

/** A recognisable value for each column a move may record, unlike anything a fresh row holds (publish ids are unique). */
const recorded = (): { [K in PostColumn]?: TikTokPostUpdate[K] } => ({
  scheduled_at: new Date('2026-12-24T18:00:00Z'),
  source: 'PULL_FROM_URL',
  tiktok_status: 'PUBLISH_COMPLETE',
  publish_id: `v_pub_${randomUUID()}`,
  fail_reason: 'recorded_reason',
  error_code: 'recorded_code',
  error_log_id: 'recorded-log',
  public_post_ids: ['7300000000000000001'],
  public_url: 'https://www.tiktok.com/@creator/video/7300000000000000001',
  uploaded_bytes: 1_111,
  downloaded_bytes: 2_222,
  next_check_at: new Date('2026-12-24T18:01:00Z'),
  last_checked_at: new Date('2026-12-24T18:02:00Z'),
  check_deadline_at: new Date('2026-12-24T20:00:00Z'),
  initiated_at: new Date('2026-12-24T18:03:00Z'),
  finished_at: new Date('2026-12-24T18:04:00Z'),
  lease_until: new Date('2026-12-24T18:05:00Z'),
  upload_url_encrypted: 'gAAAA-recorded-upload-url',
  upload_chunk_size: 10_000_000,
  video_size_bytes: 12_345_678,
  upload_completed_at: new Date('2026-12-24T18:06:00Z'),
  taken_down_at: new Date('2026-12-24T18:07:00Z'),
});

export const MOVED_AT = new Date('2026-12-24T18:30:00Z');

/** The values a test gives move M: every column it records, set to recorded()'s value, and updated_at MOVED_AT. */
export function recordedValues<M extends PostMoveName>(move: M): MoveValues<M> {
  const sample = recorded();
  const values: Record<string, unknown> = {};
  for (const column of postMove(move).records) {
    if (!(column in sample)) throw new Error(`no recorded value for ${column}`);
    values[column] = sample[column];
  }
  return { ...values, updated_at: MOVED_AT } as MoveValues<M>;
}

export interface PostRows {
  db: Db;
  /** A new post of a new task, in `status` (FAILED for `failReason`, when given). */
  postIn(status: PostStatus, failReason?: string): Promise<TikTokPost>;
  read(postId: string): Promise<TikTokPost>;
  /** What createPost needs for a post of `taskId` (a new task when not given) on the account. */
  newPost(taskId?: string): Promise<Omit<NewTikTokPost, 'status'> & { scheduled_at: null }>;
}

export async function postRows(db: Db): Promise<PostRows> {
  const { user, instance } = await createOwner(db, 'state');
  const account = await insertAccount(db, instance.id);
  return {
    db,
    postIn: async (status, failReason) => {
      const task = await insertTask(db, instance.id);
      return insertPost(db, { taskId: task.id, accountId: account.id, requestedBy: user.id, status, fail_reason: failReason ?? null });
    },
    newPost: async (taskId) => ({
      task_id: taskId ?? (await insertTask(db, instance.id)).id,
      account_id: account.id,
      requested_by: user.id,
      idempotency_key: `state-${randomUUID()}`,
      request_fingerprint: 'fingerprint',
      mode: 'direct',
      post_info: asJson({ title: 'A post' }),
      video_url: 'https://cdn.example.com/videos/out.mp4',
      privacy_level: 'SELF_ONLY',
      scheduled_at: null,
    }),
    read: (postId) => db.selectFrom('tiktok_posts').selectAll().where('id', '=', postId).executeTakeFirstOrThrow(),
  };
}
