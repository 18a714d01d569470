import { connectedAccount } from '@reelpost/api/testing';
import { describe, expect, it } from 'vitest';
import { readReelpostError, type ReelpostErrorInfo } from '../src/index.js';
import { API_URL, useInProcessApi } from './api.js';

const api = useInProcessApi();

async function failureOf(call: Promise<unknown>): Promise<ReelpostErrorInfo> {
  const error = await call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (rejection: unknown) => rejection,
  );
  const problem = readReelpostError(error);
  if (!problem) throw new Error(`not an API error: ${String(error)}`);
  return problem;
}

async function completedVideoTask(db: ReturnType<typeof api>['deps']['db'], instanceId: string) {
  return db
    .insertInto('instance_tasks')
    .values({
      instance_id: instanceId,
      type: 'video_generation',
      status: 'completed',
      title: 'Launch teaser',
      input: JSON.stringify({ prompt: 'a cat launching a rocket', seconds: 12 }),
      output_data: JSON.stringify({ video_url: 'https://cdn.example.com/teaser.mp4', media_type: 'video/mp4' }),
      completed_at: new Date('2026-11-27T10:00:00Z'),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

describe('createReelpostClient', () => {
  it('calls tasks.list and tasks.detail with the bearer token, dates arriving as dates', async () => {
    const { deps, signIn, client, requests } = api();
    const me = await signIn('maker@example.com');
    const task = await completedVideoTask(deps.db, me.instanceId);

    const reelpost = client({ token: me.token });
    const list = await reelpost.tasks.list.query({});
    expect(list.items.map((item) => [item.id, item.hasVideo])).toEqual([[task.id, true]]);
    const detail = await reelpost.tasks.detail.query({ taskId: task.id });
    expect(detail).toMatchObject({ id: task.id, title: 'Launch teaser', input: { prompt: 'a cat launching a rocket', seconds: 12 } });
    expect(detail.output.video?.url).toBe('https://cdn.example.com/teaser.mp4');
    expect(detail.completedAt).toBeInstanceOf(Date);
    expect(detail.completedAt?.toISOString()).toBe('2026-11-27T10:00:00.000Z');
    expect(requests.map((request) => request.authorization)).toEqual([`Bearer ${me.token}`, `Bearer ${me.token}`]);
    expect(requests[0]!.url).toMatch(new RegExp(`^${API_URL}/trpc/tasks\\.list\\?batch=1`));
  });

  it('sends calls made together in one HTTP request', async () => {
    const { deps, signIn, client, requests } = api();
    const me = await signIn('batch@example.com');
    const task = await completedVideoTask(deps.db, me.instanceId);

    const reelpost = client({ token: me.token });
    const [list, detail, accounts] = await Promise.all([
      reelpost.tasks.list.query({ limit: 5 }),
      reelpost.tasks.detail.query({ taskId: task.id }),
      reelpost.tiktok.accounts.query(),
    ]);
    expect([list.items.length, detail.id, accounts]).toEqual([1, task.id, []]);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.url).toContain('/trpc/tasks.list,tasks.detail,tiktok.accounts?batch=1');
  });

  it('asks getToken for a token before each request, and sends the extra headers', async () => {
    const { signIn, client, requests } = api();
    const first = await signIn('first-session@example.com');
    const second = await signIn('second-session@example.com');
    const tokens = [first.token, second.token];
    let asked = 0;
    const reelpost = client({
      getToken: async () => tokens[asked++ % tokens.length],
      headers: () => ({ 'x-request-id': `req-${asked}` }),
    });
    await reelpost.tasks.list.query({});
    await reelpost.tasks.list.query({});
    expect(requests.map((request) => request.authorization)).toEqual([`Bearer ${first.token}`, `Bearer ${second.token}`]);
    expect(requests.map((request) => request.headers.get('x-request-id'))).toEqual(['req-0', 'req-1']);
  });

  it('takes the base URL with or without a trailing slash or /trpc', async () => {
    const { signIn, client, requests } = api();
    const me = await signIn('urls@example.com');
    for (const url of [`${API_URL}/`, `${API_URL}/trpc`, `${API_URL}/trpc/`]) {
      await client({ url, token: me.token }).tasks.list.query({});
    }
    expect(requests.map((request) => new URL(request.url).pathname)).toEqual(Array(3).fill('/trpc/tasks.list'));
  });

  it('reaches the TikTok procedures: accounts and creator info of a connected account', async () => {
    const { deps, signIn, client, emulator } = api();
    const me = await signIn('creator@example.com');
    const { account } = await connectedAccount(deps, emulator, me.instanceId);
    const reelpost = client({ token: me.token });

    const [listed] = await reelpost.tiktok.accounts.query({ instanceId: me.instanceId });
    expect(listed).toMatchObject({ id: account.id, isDefault: true, state: 'active' });
    expect(listed!.connectedAt).toBeInstanceOf(Date);
    const info = await reelpost.tiktok.creatorInfo.query();
    expect(info.accountId).toBe(account.id);
    expect(info.privacyLevelOptions.length).toBeGreaterThan(0);
  });
});

describe('readReelpostError', () => {
  it('reads UNAUTHORIZED, with its hint, from a call without a token', async () => {
    const { client } = api();
    const problem = await failureOf(client().tasks.list.query({}));
    expect(problem).toMatchObject({ code: 'UNAUTHORIZED', serverCode: 'UNAUTHORIZED', httpStatus: 401, tiktok: null, issues: null });
    expect(problem.hint).toContain('Authorization: Bearer');
  });

  it('reads UNAUTHORIZED from a token the server does not accept', async () => {
    const { client } = api();
    const problem = await failureOf(client({ token: 'not-a-jwt' }).tasks.list.query({}));
    expect(problem).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
    expect(typeof problem.details?.reason).toBe('string');
  });

  it('reads INVALID_INPUT with each issue and its path', async () => {
    const { signIn, client } = api();
    const me = await signIn('typo@example.com');
    const problem = await failureOf(client({ token: me.token }).tasks.detail.query({ taskId: 'not-a-uuid' }));
    expect(problem).toMatchObject({ code: 'INVALID_INPUT', httpStatus: 400 });
    expect(problem.issues).toEqual([expect.objectContaining({ path: 'taskId' })]);
    expect(problem.message).toMatch(/^Invalid input: taskId: /);
  });

  it('reads TASK_NOT_FOUND (404) and FORBIDDEN (403, another user’s task)', async () => {
    const { deps, signIn, client } = api();
    const alice = await signIn('alice@example.com');
    const bob = await signIn('bob@example.com');
    const task = await completedVideoTask(deps.db, alice.instanceId);
    const asBob = client({ token: bob.token });

    expect(await failureOf(asBob.tasks.detail.query({ taskId: task.id }))).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });
    expect(await failureOf(asBob.tasks.detail.query({ taskId: crypto.randomUUID() }))).toMatchObject({
      code: 'TASK_NOT_FOUND',
      httpStatus: 404,
    });
  });

  it('reads NO_TIKTOK_ACCOUNT when the instance has none connected', async () => {
    const { signIn, client } = api();
    const me = await signIn('no-account@example.com');
    const problem = await failureOf(client({ token: me.token }).tiktok.creatorInfo.query());
    expect(problem).toMatchObject({ code: 'NO_TIKTOK_ACCOUNT', httpStatus: 404 });
  });

  it('reads RATE_LIMITED with retryAfterMs once TikTok’s per-minute budget is spent', async () => {
    const { deps, signIn, client, emulator } = api();
    const me = await signIn('eager@example.com');
    await connectedAccount(deps, emulator, me.instanceId);
    const reelpost = client({ token: me.token });
    for (let call = 0; call < 20; call++) await reelpost.tiktok.creatorInfo.query();

    const problem = await failureOf(reelpost.tiktok.creatorInfo.query());
    expect(problem).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429 });
    expect(problem.retryAfterMs).toBeGreaterThan(0);
    expect(problem.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('reads tRPC’s own NOT_FOUND for a procedure the server does not have', async () => {
    const { signIn, client } = api();
    const me = await signIn('old-client@example.com');
    const reelpost = client({ token: me.token }) as unknown as { tasks: { archive: { query: (input: unknown) => Promise<unknown> } } };
    expect(await failureOf(reelpost.tasks.archive.query({}))).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
  });

  it('returns null for what is not an API answer: a network failure, a plain error, anything else', async () => {
    const offline = api().client({ fetch: () => Promise.reject(new TypeError('fetch failed')) });
    const networkError = await offline.tasks.list.query({}).catch((error: unknown) => error);
    expect(networkError).toBeInstanceOf(Error);
    expect(readReelpostError(networkError)).toBeNull();
    expect(readReelpostError(new Error('boom'))).toBeNull();
    expect(readReelpostError({ data: { appCode: 'FORBIDDEN', httpStatus: 403 } })).toBeNull();
    expect(readReelpostError(undefined)).toBeNull();
  });
});
