import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appError } from './errors.js';
import { type Context, protectedProcedure, publicProcedure, router } from './trpc.js';
import { contextFor, testDeps } from '../test/deps.js';

const testRouter = router({
  secret: protectedProcedure.query(({ ctx }) => ctx.session.userId),
  tiktokDown: publicProcedure.query(() => {
    throw appError('TIKTOK_UNAVAILABLE', 'TikTok did not answer.', {
      hint: 'Try again in a minute.',
      tiktok: { code: 'internal_error', logId: 'log-123' },
    });
  }),
  crash: publicProcedure.query(() => {
    throw new Error('relation "instance_tasks" does not exist at /srv/app/db.ts:12');
  }),
  echo: publicProcedure.input(z.object({ taskId: z.uuid(), limit: z.number().int().max(100) })).query(({ input }) => input),
});

function context(session: Context['session'] = null): Context {
  // The formatter never touches the database; these procedures do not either.
  return contextFor(testDeps(undefined as never), session);
}

async function call(path: string, input?: unknown, session: Context['session'] = null) {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`;
  const response = await fetchRequestHandler({
    endpoint: '/trpc',
    req: new Request(`http://local/trpc/${path}${query}`),
    router: testRouter,
    createContext: () => context(session),
  });
  const body = (await response.json()) as { error: Parameters<typeof superjson.deserialize>[0] };
  const error = superjson.deserialize<{ message: string; data: Record<string, unknown> }>(body.error);
  return { status: response.status, error };
}

describe('the error shape', () => {
  it('answers a call without a session with 401 and our UNAUTHORIZED code', async () => {
    const { status, error } = await call('secret');
    expect(status).toBe(401);
    expect(error.data).toMatchObject({ appCode: 'UNAUTHORIZED', httpStatus: 401 });
    expect(error.data.hint).toContain('Authorization: Bearer');
  });

  it('lets a signed-in caller through', async () => {
    const response = await fetchRequestHandler({
      endpoint: '/trpc',
      req: new Request('http://local/trpc/secret'),
      router: testRouter,
      createContext: () => context({ userId: 'u-1', sub: 's', email: null, actor: 'user' }),
    });
    expect(response.status).toBe(200);
  });

  it('carries the hint and TikTok code and log id of an app error', async () => {
    const { status, error } = await call('tiktokDown');
    expect(status).toBe(503);
    expect(error.message).toBe('TikTok did not answer.');
    expect(error.data).toMatchObject({
      appCode: 'TIKTOK_UNAVAILABLE',
      hint: 'Try again in a minute.',
      tiktok: { code: 'internal_error', logId: 'log-123' },
    });
  });

  it('hides the message and stack of an unexpected error', async () => {
    const { status, error } = await call('crash');
    expect(status).toBe(500);
    expect(error.data.appCode).toBe('INTERNAL');
    expect(JSON.stringify(error)).not.toMatch(/instance_tasks|\/srv\/app|stack/);
  });

  it('turns invalid input into 400 with each issue and its path', async () => {
    const { status, error } = await call('echo', { taskId: 'not-a-uuid', limit: 1000 });
    expect(status).toBe(400);
    expect(error.data.appCode).toBe('INVALID_INPUT');
    expect(error.data.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'taskId' }),
        expect.objectContaining({ path: 'limit' }),
      ]),
    );
    expect(error.message).toMatch(/^Invalid input: taskId: .+ \(and 1 more\)$/);
  });
});
