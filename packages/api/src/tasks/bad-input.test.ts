import { useTestDatabase } from '@reelpost/db/testing';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import superjson from 'superjson';
import { beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../root.js';
import { createOwner, type Db } from './testing/fixtures.js';
import { contextFor, testDeps } from '../../test/deps.js';

// Bad input through the HTTP handler, where status codes and bodies are what a client sees: always 400 with zod's
// issues, never a 500, never database text.

const database = useTestDatabase();
let db: Db;
let userId: string;

beforeAll(async () => {
  db = database().db;
  userId = (await createOwner(db, 'alice')).user.id;
});

async function get(path: string, input: unknown) {
  const query = `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`;
  const response = await fetchRequestHandler({
    endpoint: '/trpc',
    req: new Request(`http://local/trpc/${path}${query}`),
    router: appRouter,
    createContext: () => contextFor(testDeps(db), { userId, sub: 'sub', email: null, actor: 'user' as const }),
  });
  const text = await response.text();
  return { status: response.status, text };
}

const base64url = (text: string) => Buffer.from(text).toString('base64url');

describe('bad input to tasks.list and tasks.detail', () => {
  it.each([
    ['a non-UUID task id', 'tasks.detail', { taskId: 'not-a-uuid' }, 'taskId'],
    ['a task id with SQL in it', 'tasks.detail', { taskId: "1' OR '1'='1" }, 'taskId'],
    ['a missing task id', 'tasks.detail', {}, 'taskId'],
    ['a non-UUID instance id', 'tasks.list', { instanceId: '42' }, 'instanceId'],
    ['a zero limit', 'tasks.list', { limit: 0 }, 'limit'],
    ['a negative limit', 'tasks.list', { limit: -5 }, 'limit'],
    ['a huge limit', 'tasks.list', { limit: 1e12 }, 'limit'],
    ['a fractional limit', 'tasks.list', { limit: 2.5 }, 'limit'],
    ['a limit given as text', 'tasks.list', { limit: '10' }, 'limit'],
    ['a cursor that is not base64', 'tasks.list', { cursor: '%%%not-a-cursor%%%' }, 'cursor'],
    ['a cursor that is base64 of garbage', 'tasks.list', { cursor: base64url('hello') }, 'cursor'],
    [
      'a cursor with an impossible date',
      'tasks.list',
      { cursor: base64url(JSON.stringify({ v: 1, t: '2026-02-30T00:00:00.000000Z', id: '00000000-0000-4000-8000-000000000000' })) },
      'cursor',
    ],
    [
      'a cursor with SQL for its id',
      'tasks.list',
      { cursor: base64url(JSON.stringify({ v: 1, t: '2026-01-01T00:00:00.000000Z', id: "x'::uuid); DROP TABLE users;--" })) },
      'cursor',
    ],
    [
      'a cursor with extra fields',
      'tasks.list',
      { cursor: base64url(JSON.stringify({ v: 1, t: '2026-01-01T00:00:00.000000Z', id: '00000000-0000-4000-8000-000000000000', admin: true })) },
      'cursor',
    ],
    ['a very long cursor', 'tasks.list', { cursor: 'A'.repeat(5000) }, 'cursor'],
  ])('answers %s with 400 and the issue', async (_, path, input, issuePath) => {
    const { status, text } = await get(path, input);
    expect(status).toBe(400);
    const body = superjson.deserialize<{ data: { appCode: string; issues: { path: string }[] } }>(
      (JSON.parse(text) as { error: Parameters<typeof superjson.deserialize>[0] }).error,
    );
    expect(body.data.appCode).toBe('INVALID_INPUT');
    expect(body.data.issues.map((issue) => issue.path)).toContain(issuePath);
    expect(text).not.toMatch(/syntax|relation|postgres|SELECT/i);
  });
});
