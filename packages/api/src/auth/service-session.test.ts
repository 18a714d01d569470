import { useTestDatabase } from '@reelpost/db/testing';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../testing/identity-provider.js';
import { AppError } from '../errors.js';
import { createCallerFactory, protectedProcedure, router } from '../trpc.js';
import { serviceSessionFor } from './service-session.js';
import { testDeps } from '../../test/deps.js';

const getDatabase = useTestDatabase();
const createCaller = createCallerFactory(router({ whoami: protectedProcedure.query(({ ctx }) => ctx.session) }));

async function aUser(sub: string) {
  return getDatabase().db.insertInto('users').values({ sub, email: `${sub}@example.com` }).returningAll().executeTakeFirstOrThrow();
}

describe('in-process calls for internal services (createCaller)', () => {
  it('runs a protected procedure as a service acting for a user named by id', async () => {
    const user = await aUser('in-process-by-id');
    const { db } = getDatabase();
    const session = await serviceSessionFor(db, { userId: user.id, service: 'scheduler' });
    const caller = createCaller({ ...testDeps(db, { clock: fixedClock }), requestId: null, session });
    expect(await caller.whoami()).toEqual({
      userId: user.id,
      sub: 'in-process-by-id',
      email: 'in-process-by-id@example.com',
      actor: 'service',
      service: 'scheduler',
    });
  });

  it('finds the user by sub too', async () => {
    const user = await aUser('in-process-by-sub');
    const session = await serviceSessionFor(getDatabase().db, { sub: 'in-process-by-sub', service: 'worker' });
    expect(session.userId).toBe(user.id);
  });

  it('refuses a user that does not exist', async () => {
    const error = await serviceSessionFor(getDatabase().db, { sub: 'nobody', service: 'worker' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).appCode).toBe('UNAUTHORIZED');
  });
});
