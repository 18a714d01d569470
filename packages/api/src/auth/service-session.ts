import type { Database } from '@reelpost/db';
import type { Kysely } from 'kysely';
import { appError } from '../errors.js';
import type { Session } from '../trpc.js';

/**
 * A session for an internal service running in the same process (the worker, scheduled jobs) acting for a user,
 * for `createCaller`:
 *   const caller = createCaller({ ...deps, requestId: null, session: await serviceSessionFor(deps.db, { userId, service: 'scheduler' }) });
 *   await caller.tasks.detail({ taskId });
 * No token is involved: code in our process is already trusted; it gets the same procedures, ownership checks and
 * errors as an HTTP caller. The user must exist (401 UNAUTHORIZED otherwise).
 */
export async function serviceSessionFor(
  db: Kysely<Database>,
  who: ({ userId: string; sub?: never } | { sub: string; userId?: never }) & { service: string },
): Promise<Session> {
  const query = db.selectFrom('users').select(['id', 'sub', 'email']);
  const user = await (who.userId !== undefined ? query.where('id', '=', who.userId) : query.where('sub', '=', who.sub)).executeTakeFirst();
  if (!user) {
    throw appError('UNAUTHORIZED', 'The user this service acts for does not exist.', {
      hint: 'Pass the id or sub of an existing user.',
    });
  }
  return { userId: user.id, sub: user.sub, email: user.email, actor: 'service', service: who.service };
}
