import { inspect } from 'node:util';
import { useTestDatabase } from '@reelpost/db/testing';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import {
  fixedClock,
  newSigningKey,
  NOW_SECONDS,
  signHs256,
  signWith,
  unauthorizedBearers,
  unsignedToken,
} from '../testing/identity-provider.js';
import { AppError } from '../errors.js';
import { protectedProcedure, publicProcedure, router } from '../trpc.js';
import { createAuth } from './config.js';
import { type CreateContext, createContextFactory } from './context.js';
import { createOidcAuthenticator } from './oidc.js';
import { issueServiceToken } from './service-token.js';
import { testDeps } from '../../test/deps.js';

const SUPABASE_SECRET = 'supabase-project-jwt-secret-0123456789abcdef';
const SERVICE_SECRET = 'internal-service-secret-0123456789abcdef-xyz';
const getDatabase = useTestDatabase();

const testRouter = router({
  whoami: protectedProcedure.query(({ ctx }) => ctx.session),
  maybe: publicProcedure.query(({ ctx }) => ctx.session?.userId ?? null),
});

function contextFactory(): CreateContext {
  const { db } = getDatabase();
  const { authenticator } = createAuth(
    { supabaseJwtSecret: SUPABASE_SECRET, serviceJwtSecret: SERVICE_SECRET },
    { db, clock: fixedClock },
  );
  return createContextFactory({ ...testDeps(db, { clock: fixedClock }), authenticator });
}

const userToken = (sub: string, extra: Record<string, unknown> = {}) =>
  signHs256({ aud: 'authenticated', sub, email: `${sub}@example.com`, ...extra }, SUPABASE_SECRET);

async function callOverHttp(createContext: CreateContext, path: string, authorization?: string) {
  const response = await fetchRequestHandler({
    endpoint: '/trpc',
    req: new Request(`http://local/trpc/${path}`, { headers: authorization === undefined ? {} : { authorization } }),
    router: testRouter,
    createContext: ({ req }) => createContext({ headers: req.headers }),
  });
  const text = await response.text();
  const body = JSON.parse(text) as { result?: { data: unknown }; error?: Parameters<typeof superjson.deserialize>[0] };
  const error = body.error ? superjson.deserialize<{ message: string; data: Record<string, unknown> }>(body.error) : null;
  const data = body.result ? superjson.deserialize(body.result.data as Parameters<typeof superjson.deserialize>[0]) : undefined;
  return { status: response.status, text, error, data };
}

async function contextError(createContext: CreateContext, authorization: string): Promise<AppError> {
  const error = await createContext({ authorization }).then(
    () => {
      throw new Error('expected the context to refuse the token');
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('the context: who is calling', () => {
  it('is anonymous without an Authorization header', async () => {
    const context = await contextFactory()({ headers: new Headers() });
    expect(context.session).toBeNull();
  });

  it('creates the user on first sight of their sub and returns the same user afterwards', async () => {
    const createContext = contextFactory();
    const token = await userToken('first-sight');
    const first = await createContext({ authorization: `Bearer ${token}` });
    const second = await createContext({ headers: { Authorization: `bearer ${token}` } });
    expect(first.session).toMatchObject({ sub: 'first-sight', email: 'first-sight@example.com', actor: 'user' });
    expect(second.session?.userId).toBe(first.session?.userId);
    const rows = await getDatabase().db.selectFrom('users').selectAll().where('sub', '=', 'first-sight').execute();
    expect(rows).toHaveLength(1);
  });

  it('keeps the email current, and keeps it when a token carries none', async () => {
    const createContext = contextFactory();
    await createContext({ authorization: `Bearer ${await userToken('mover', { email: 'old@example.com' })}` });
    const moved = await createContext({ authorization: `Bearer ${await userToken('mover', { email: 'new@example.com' })}` });
    expect(moved.session?.email).toBe('new@example.com');
    const silent = await createContext({ authorization: `Bearer ${await userToken('mover', { email: undefined })}` });
    expect(silent.session?.email).toBe('new@example.com');
    const row = await getDatabase().db.selectFrom('users').select('email').where('sub', '=', 'mover').executeTakeFirstOrThrow();
    expect(row.email).toBe('new@example.com');
  });

  it('creates exactly one user when many first requests arrive at once', async () => {
    const createContext = contextFactory();
    const token = await userToken('stampede');
    const contexts = await Promise.all(Array.from({ length: 20 }, () => createContext({ authorization: `Bearer ${token}` })));
    expect(new Set(contexts.map((c) => c.session?.userId)).size).toBe(1);
    const rows = await getDatabase().db.selectFrom('users').select('id').where('sub', '=', 'stampede').execute();
    expect(rows).toHaveLength(1);
  });

  it('takes the request id from the x-request-id header', async () => {
    const context = await contextFactory()({ headers: new Headers({ 'x-request-id': 'req-42' }) });
    expect(context.requestId).toBe('req-42');
  });

  it('gives a protected procedure the signed-in user over HTTP', async () => {
    const { status, data } = await callOverHttp(contextFactory(), 'whoami', `Bearer ${await userToken('over-http')}`);
    expect(status).toBe(200);
    expect(data).toMatchObject({ sub: 'over-http', actor: 'user' });
  });
});

describe('the context: service tokens', () => {
  it('acts for an existing user, as the service', async () => {
    const createContext = contextFactory();
    const own = await createContext({ authorization: `Bearer ${await userToken('served')}` });
    const token = await issueServiceToken({ secret: SERVICE_SECRET, service: 'agent-runner', actForSub: 'served', clock: fixedClock });
    const context = await createContext({ authorization: `Bearer ${token}` });
    expect(context.session).toEqual({
      userId: own.session!.userId,
      sub: 'served',
      email: 'served@example.com',
      actor: 'service',
      service: 'agent-runner',
    });
  });

  it('refuses to act for a user who has never signed in, and creates no user', async () => {
    const token = await issueServiceToken({ secret: SERVICE_SECRET, service: 'agent-runner', actForSub: 'ghost', clock: fixedClock });
    const error = await contextError(contextFactory(), `Bearer ${token}`);
    expect(error.appCode).toBe('UNAUTHORIZED');
    expect(error.cause.extra.details).toEqual({ reason: 'unknown_user' });
    expect(await getDatabase().db.selectFrom('users').select('id').where('sub', '=', 'ghost').execute()).toHaveLength(0);
  });

  it('does not accept a user token signed with the service secret', async () => {
    const error = await contextError(contextFactory(), `Bearer ${await signHs256({ aud: 'authenticated', sub: 'x' }, SERVICE_SECRET)}`);
    expect(error.cause.extra.details).toEqual({ reason: 'bad_signature' });
  });
});

describe('the context: a present but invalid token is a 401, never an anonymous call', () => {
  const cases: [string, () => Promise<string>, string][] = [
    ['a token signed with another secret', () => signHs256({ aud: 'authenticated', sub: 'x' }, 'wrong-secret-wrong-secret-wrong-secret!'), 'bad_signature'],
    ['an expired token', () => userToken('x', { exp: NOW_SECONDS - 3600 }), 'expired'],
    ['alg: none', () => Promise.resolve(unsignedToken({ aud: 'authenticated', sub: 'x' })), 'algorithm_not_allowed'],
    ['an RS256 token', async () => signWith(await newSigningKey('k'), { aud: 'authenticated', sub: 'x' }), 'algorithm_not_allowed'],
    ['garbage', () => Promise.resolve('not.a.jwt'), 'malformed'],
  ];

  it.each(cases)('%s → 401 UNAUTHORIZED with a hint, even on a public procedure', async (_label, makeToken, reason) => {
    const token = await makeToken();
    for (const path of ['whoami', 'maybe']) {
      const { status, error } = await callOverHttp(contextFactory(), path, `Bearer ${token}`);
      expect(status).toBe(401);
      expect(error?.data).toMatchObject({ appCode: 'UNAUTHORIZED', details: { reason } });
      expect(error?.data.hint).toEqual(expect.any(String));
    }
  });

  it('the shared matrix cases (no token, bad signature, expired, alg: none) each answer 401 on a protected procedure', async () => {
    const cases = await unauthorizedBearers({ aud: 'authenticated', sub: 'matrix', email: 'matrix@example.com' }, SUPABASE_SECRET);
    for (const { authorization, reason } of cases) {
      const { status, error } = await callOverHttp(contextFactory(), 'whoami', authorization);
      expect(status).toBe(401);
      expect(error?.data.appCode).toBe('UNAUTHORIZED');
      expect(error?.data.details).toEqual(reason === null ? null : { reason });
    }
  });

  it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'Token abc'])('refuses the header "%s" with a hint', async (header) => {
    const { status, error } = await callOverHttp(contextFactory(), 'maybe', header);
    expect(status).toBe(401);
    expect(error?.data.hint).toContain('Authorization: Bearer <token>');
  });

  it('answers 503 AUTH_UNAVAILABLE, not 401, when the identity provider cannot be reached', async () => {
    const { db } = getDatabase();
    const authenticator = createOidcAuthenticator({ issuer: 'http://127.0.0.1:9/', audience: 'api', clock: fixedClock, fetchTimeoutMs: 1000 });
    const createContext = createContextFactory({ ...testDeps(db, { clock: fixedClock }), authenticator });
    const token = await signWith(await newSigningKey('k'), { iss: 'http://127.0.0.1:9/', aud: 'api', sub: 'x' });
    const { status, error } = await callOverHttp(createContext, 'whoami', `Bearer ${token}`);
    expect(status).toBe(503);
    expect(error?.data).toMatchObject({ appCode: 'AUTH_UNAVAILABLE', details: { reason: 'provider_unavailable' } });
  });
});

describe('secrets stay out of errors', () => {
  const badTokens: [string, () => Promise<string>][] = [
    ['wrong secret', () => signHs256({ aud: 'authenticated', sub: 'leaky', email: 'leaky@example.com' }, 'x'.repeat(40))],
    ['expired', () => userToken('leaky', { exp: NOW_SECONDS - 3600 })],
    ['wrong audience', () => userToken('leaky', { aud: 'elsewhere' })],
    ['alg none', () => Promise.resolve(unsignedToken({ aud: 'authenticated', sub: 'leaky', email: 'leaky@example.com' }))],
    ['service token for an unknown user', () => issueServiceToken({ secret: SERVICE_SECRET, service: 'svc', actForSub: 'leaky', clock: fixedClock })],
  ];

  function expectNothingSecretIn(text: string, token: string) {
    const [header, payload, signature] = token.split('.');
    expect(text).not.toContain(token);
    expect(text).not.toContain(payload);
    if (signature) expect(text).not.toContain(signature);
    expect(text).not.toContain(header);
    expect(text).not.toContain(SUPABASE_SECRET);
    expect(text).not.toContain(SERVICE_SECRET);
    expect(text).not.toContain('leaky@example.com');
  }

  it.each(badTokens)('%s: not in the thrown error (message, cause, hint, JSON, inspect)', async (_label, makeToken) => {
    const token = await makeToken();
    const error = await contextError(contextFactory(), `Bearer ${token}`);
    for (const text of [
      error.message,
      error.stack ?? '',
      JSON.stringify(error),
      JSON.stringify(error.cause),
      JSON.stringify(error.cause.extra),
      inspect(error, { depth: 10, showHidden: true }),
    ]) {
      expectNothingSecretIn(text, token);
    }
  });

  it.each(badTokens)('%s: not in the HTTP response the error formatter produces', async (_label, makeToken) => {
    const token = await makeToken();
    const { status, text } = await callOverHttp(contextFactory(), 'whoami', `Bearer ${token}`);
    expect(status).toBe(401);
    expectNothingSecretIn(text, token);
  });

  it('a malformed Authorization header is not echoed', async () => {
    const { text } = await callOverHttp(contextFactory(), 'maybe', 'Basic c2VjcmV0LXBhc3N3b3Jk');
    expect(text).not.toContain('c2VjcmV0LXBhc3N3b3Jk');
  });
});
