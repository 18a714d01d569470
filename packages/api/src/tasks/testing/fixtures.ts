import type { Database, NewMedia, NewTask, NewTikTokPost, PostStatus } from '@reelpost/db';
import type { Kysely } from 'kysely';
import { createCaller } from '../../root.js';
import type { Clock } from '../../deps.js';
import { contextFor, testDeps } from '../../../test/deps.js';

// Rows for the tasks tests: a user with an instance, tasks, media, TikTok accounts and posts.

const fixedClock: Clock = { now: () => new Date('2026-11-27T12:00:00Z') };

export type Db = Kysely<Database>;

let counter = 0;
const unique = (label: string) => `${label}-${process.pid}-${++counter}`;

export async function createOwner(db: Db, label = 'owner') {
  const user = await db
    .insertInto('users')
    .values({ sub: unique(`sub-${label}`), email: `${label}@example.com` })
    .returningAll()
    .executeTakeFirstOrThrow();
  const instance = await db
    .insertInto('instances')
    .values({ owner_id: user.id, name: `${label}'s instance` })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { user, instance };
}

export async function addInstance(db: Db, ownerId: string, name = 'another instance') {
  return db.insertInto('instances').values({ owner_id: ownerId, name }).returningAll().executeTakeFirstOrThrow();
}

/** JSON columns take JSON text; `undefined` leaves the column NULL. */
export const asJson = (value: unknown): string => JSON.stringify(value);

export async function insertTask(db: Db, instanceId: string, values: Partial<NewTask> = {}) {
  return db
    .insertInto('instance_tasks')
    .values({ instance_id: instanceId, type: 'video_generation', status: 'completed', ...values })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertMedia(db: Db, values: Omit<NewMedia, 'url'> & { url?: string }) {
  return db
    .insertInto('instance_media')
    .values({ url: 'https://cdn.example.com/media/file.bin', ...values })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertAccount(db: Db, instanceId: string, openId = unique('open')) {
  return db
    .insertInto('instance_tiktok_credentials')
    .values({
      instance_id: instanceId,
      open_id: openId,
      access_token_encrypted: 'gAAAA-sealed-access',
      refresh_token_encrypted: 'gAAAA-sealed-refresh',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertPost(
  db: Db,
  post: { taskId: string; accountId: string; requestedBy: string; status: PostStatus } & Partial<NewTikTokPost>,
) {
  const { taskId, accountId, requestedBy, status, ...rest } = post;
  return db
    .insertInto('tiktok_posts')
    .values({
      task_id: taskId,
      account_id: accountId,
      requested_by: requestedBy,
      status,
      idempotency_key: unique('idem'),
      request_fingerprint: 'fingerprint',
      mode: 'direct',
      post_info: asJson({ title: 'A post' }),
      video_url: 'https://cdn.example.com/videos/out.mp4',
      privacy_level: 'SELF_ONLY',
      ...(status === 'SCHEDULED' && { scheduled_at: new Date('2026-12-01T10:00:00Z') }),
      ...rest,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A caller signed in as `userId`, the way the server's context will build it. */
export function callerFor(db: Db, userId: string) {
  return createCaller(contextFor(testDeps(db, { clock: fixedClock }), { userId, sub: `sub-${userId}`, email: null, actor: 'user' }));
}
