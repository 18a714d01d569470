import { useTestDatabase } from '@reelpost/db/testing';
import { describe, expect, it } from 'vitest';
import { fixedClock, NOW_SECONDS, signHs256 } from '../testing/identity-provider.js';
import { AppError } from '../errors.js';
import { createContextFactory } from './context.js';
import { createDemoAuth, DEMO_TOKEN_AUDIENCE, DEMO_TOKEN_ISSUER } from './demo.js';
import { createHs256Authenticator } from './hs256.js';
import { testDeps } from '../../test/deps.js';

const DEMO_SECRET = 'demo-secret-for-this-machine-only-0123456789';
const getDatabase = useTestDatabase();

function demo() {
  return createDemoAuth({ db: getDatabase().db, clock: fixedClock, secret: DEMO_SECRET });
}

async function instancesOf(userId: string) {
  return getDatabase().db.selectFrom('instances').selectAll().where('owner_id', '=', userId).execute();
}

describe('demo tokens (POST /dev/token)', () => {
  it('creates a new user with one empty instance and signs them in', async () => {
    const { token, userId, created } = await demo().issueDemoToken({ email: 'new.person@example.com' });
    expect(created).toBe(true);
    expect(await instancesOf(userId)).toHaveLength(1);
    const createContext = createContextFactory({ ...testDeps(getDatabase().db, { clock: fixedClock }), authenticator: demo().authenticator });
    const { session } = await createContext({ authorization: `Bearer ${token}` });
    expect(session).toMatchObject({ userId, email: 'new.person@example.com', actor: 'user' });
  });

  it('returns the same user, and no second instance, for the same email in any case', async () => {
    const first = await demo().issueDemoToken({ email: 'repeat@example.com' });
    const again = await demo().issueDemoToken({ email: '  Repeat@Example.COM ' });
    expect(again).toMatchObject({ userId: first.userId, created: false });
    expect(await instancesOf(first.userId)).toHaveLength(1);
  });

  it('creates one user and one instance when asked for a new email many times at once', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => demo().issueDemoToken({ email: 'rush@example.com' })));
    expect(new Set(results.map((r) => r.userId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await instancesOf(results[0]!.userId)).toHaveLength(1);
  });

  it('signs in the existing demo user of that email (the seeded one) under their demo sub', async () => {
    const { db } = getDatabase();
    const seeded = await db.insertInto('users').values({ sub: 'demo|seeded@reelpost.dev', email: 'seeded@reelpost.dev' }).returning('id').executeTakeFirstOrThrow();
    const { token, userId, created } = await demo().issueDemoToken({ email: 'seeded@reelpost.dev' });
    expect({ userId, created }).toEqual({ userId: seeded.id, created: false });
    expect(await demo().authenticator.verify(token)).toMatchObject({ sub: 'demo|seeded@reelpost.dev' });
  });

  // Issue 17, finding 1: on main, the user was found by email, so a real user's token was minted for the asking.
  it('never mints a token for a user outside the demo namespace, whatever their email', async () => {
    const { db } = getDatabase();
    const real = await db.insertInto('users').values({ sub: 'oidc|real-person', email: 'real@example.com' }).returning('id').executeTakeFirstOrThrow();
    const { token, userId } = await demo().issueDemoToken({ email: 'real@example.com' });
    expect(userId).not.toBe(real.id);
    expect(await demo().authenticator.verify(token)).toMatchObject({ sub: 'demo|real@example.com' });
  });

  it('issues tokens valid for 7 days', async () => {
    const { expiresAt } = await demo().issueDemoToken({ email: 'week@example.com' });
    expect(expiresAt.getTime() / 1000 - NOW_SECONDS).toBe(7 * 24 * 3600);
  });

  it('refuses something that is not an email with INVALID_INPUT', async () => {
    const error = await demo()
      .issueDemoToken({ email: 'not an email' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).appCode).toBe('INVALID_INPUT');
  });

  it('is refused by a Supabase-mode server even with the same secret (its own issuer and audience)', async () => {
    const { token } = await demo().issueDemoToken({ email: 'crossing@example.com' });
    const supabase = createHs256Authenticator({ secret: DEMO_SECRET, audience: 'authenticated', clock: fixedClock, label: 's', source: 's' });
    await expect(supabase.verify(token)).rejects.toMatchObject({ reason: 'wrong_audience' });
  });

  it('accepts only its own issuer', async () => {
    const forged = await signHs256({ iss: 'someone-else', aud: DEMO_TOKEN_AUDIENCE, sub: 'x' }, DEMO_SECRET);
    await expect(demo().authenticator.verify(forged)).rejects.toMatchObject({ reason: 'wrong_issuer' });
    const good = await signHs256({ iss: DEMO_TOKEN_ISSUER, aud: DEMO_TOKEN_AUDIENCE, sub: 'x' }, DEMO_SECRET);
    await expect(demo().authenticator.verify(good)).resolves.toMatchObject({ sub: 'x' });
  });
});
