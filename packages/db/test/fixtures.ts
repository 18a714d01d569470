import type { Kysely } from 'kysely';
import type { Database } from '../src/schema.js';

/** A user, an instance, a completed task and an active account: the rows most constraint tests start from. */
export async function seedOwnerWithTask(db: Kysely<Database>, label = 'owner') {
  const user = await db
    .insertInto('users')
    .values({ sub: `sub-${label}-${Math.random()}`, email: `${label}@example.com` })
    .returningAll()
    .executeTakeFirstOrThrow();
  const instance = await db
    .insertInto('instances')
    .values({ owner_id: user.id, name: `${label}'s instance` })
    .returningAll()
    .executeTakeFirstOrThrow();
  const task = await db
    .insertInto('instance_tasks')
    .values({ instance_id: instance.id, type: 'video_generation', status: 'completed' })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { user, instance, task };
}

export async function insertAccount(db: Kysely<Database>, instanceId: string, openId: string, isDefault = false) {
  return db
    .insertInto('instance_tiktok_credentials')
    .values({
      instance_id: instanceId,
      open_id: openId,
      access_token_encrypted: 'gAAAA-sealed-access',
      refresh_token_encrypted: 'gAAAA-sealed-refresh',
      is_default: isDefault,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
