import { describe, expect, it } from 'vitest';
import { bearer, useRuntime } from '../test/runtime.js';

// trpc-queries.ts answers plain GET batches of queries itself; tRPC's fetch adapter answers everything else. A GET
// that names a content type is left to the adapter, so each request below is sent both ways and must get the same
// answer: status, body and the headers a client reads.
const runtime = useRuntime();

const DEMO_TASK = 'd0000000-0000-4000-8000-000000000011';
const UNKNOWN_TASK = '00000000-0000-4000-8000-000000000000';

async function bothWays(path: string, headers: Record<string, string>) {
  const answer = async (extra: Record<string, string>) => {
    const response = await runtime().app.request(path, { headers: { ...headers, ...extra } });
    return {
      status: response.status,
      body: await response.text(),
      contentType: response.headers.get('content-type'),
      retryAfter: response.headers.get('retry-after'),
    };
  };
  return { ours: await answer({}), adapters: await answer({ 'content-type': 'application/json' }) };
}

const input = (...values: unknown[]) => encodeURIComponent(JSON.stringify(Object.fromEntries(values.map((value, i) => [i, { json: value }]))));

describe('a GET batch of queries answered without the fetch adapter', () => {
  const token = () => bearer(runtime().demo!.token);
  const cases: [string, () => [string, Record<string, string>]][] = [
    ['one query', () => [`/trpc/tasks.detail?batch=1&input=${input({ taskId: DEMO_TASK })}`, token()]],
    ['two queries, one refused (207)', () => [`/trpc/tasks.detail,tasks.detail?batch=1&input=${input({ taskId: DEMO_TASK }, { taskId: UNKNOWN_TASK })}`, token()]],
    ['an input that is not JSON', () => ['/trpc/tasks.detail?batch=1&input=%7Bnot-json', token()]],
    ['an input the schema refuses', () => [`/trpc/tasks.detail?batch=1&input=${input({ taskId: 'not-a-uuid' })}`, token()]],
    ['no token', () => [`/trpc/tasks.list?batch=1&input=${input({})}`, {}]],
    ['a token that does not verify', () => [`/trpc/tasks.list?batch=1&input=${input({})}`, bearer('not.a.token')]],
  ];

  for (const [name, request] of cases) {
    it(`answers as tRPC's adapter does: ${name}`, async () => {
      const [path, headers] = request();
      const { ours, adapters } = await bothWays(path, headers);
      expect(ours).toEqual(adapters);
    });
  }
});
