import { Validator } from '@seriousme/openapi-schema-validator';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { DEMO_IDS } from './demo/seed.js';
import { bearer, useRuntime } from '../test/runtime.js';

const runtime = useRuntime();

const auth = () => bearer(runtime().demo!.token);
const request = (path: string, init: RequestInit = {}) =>
  runtime().app.request(path, { ...init, headers: { ...auth(), ...(init.headers as Record<string, string>) } });

async function trpcQuery(path: string, input: unknown, headers: Record<string, string> = auth()) {
  const query = `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`;
  const response = await runtime().app.request(`/trpc/${path}${query}`, { headers });
  const body = (await response.json()) as { result?: { data: Parameters<typeof superjson.deserialize>[0] }; error?: Parameters<typeof superjson.deserialize>[0] };
  return {
    status: response.status,
    data: body.result ? superjson.deserialize(body.result.data) : undefined,
    error: body.error ? superjson.deserialize<{ message: string; data: { appCode: string; hint: string | null } }>(body.error) : undefined,
  };
}

async function trpcMutation(path: string, input: unknown) {
  const response = await runtime().app.request(`/trpc/${path}`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/json' },
    body: JSON.stringify(superjson.serialize(input)),
  });
  const body = (await response.json()) as { result?: { data: Parameters<typeof superjson.deserialize>[0] }; error?: Parameters<typeof superjson.deserialize>[0] };
  return { status: response.status, data: body.result ? superjson.deserialize(body.result.data) : undefined };
}

describe('REST and tRPC give the same answers', () => {
  it('GET /api/v1/tasks/{id}/detail equals tasks.detail (dates as ISO strings)', async () => {
    const rest = await request(`/api/v1/tasks/${DEMO_IDS.videoTask}/detail`);
    expect(rest.status).toBe(200);
    const viaTrpc = await trpcQuery('tasks.detail', { taskId: DEMO_IDS.videoTask });
    expect(await rest.json()).toEqual(JSON.parse(JSON.stringify(viaTrpc.data)));
  });

  it('an unknown task: 404 TASK_NOT_FOUND on both, with the same message', async () => {
    const unknown = '00000000-0000-4000-8000-000000000999';
    const rest = await request(`/api/v1/tasks/${unknown}/detail`);
    expect(rest.status).toBe(404);
    const { error } = (await rest.json()) as { error: { code: string; message: string; hint: string; requestId: string } };
    const viaTrpc = await trpcQuery('tasks.detail', { taskId: unknown });
    expect(viaTrpc.status).toBe(404);
    expect(error).toMatchObject({ code: 'TASK_NOT_FOUND', message: viaTrpc.error!.message, hint: viaTrpc.error!.data.hint });
    expect(error.requestId).toBeTruthy();
  });

  it('no token: 401 UNAUTHORIZED on both', async () => {
    const rest = await runtime().app.request(`/api/v1/tasks/${DEMO_IDS.videoTask}/detail`);
    expect(rest.status).toBe(401);
    expect(((await rest.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    expect((await trpcQuery('tasks.detail', { taskId: DEMO_IDS.videoTask }, {})).status).toBe(401);
  });

  it('a malformed id: 400 with the zod issue, no stack or SQL', async () => {
    const rest = await request('/api/v1/tasks/not-a-uuid/detail');
    expect(rest.status).toBe(400);
    const text = await rest.text();
    const body = JSON.parse(text) as { error: { code: string; message: string; issues: { path: string }[] } };
    expect(body.error).toMatchObject({ code: 'INVALID_INPUT', issues: [expect.objectContaining({ path: 'taskId' })] });
    expect(body.error.message).toMatch(/^Invalid input: taskId/);
    expect(text).not.toMatch(/stack|select |at \//i);
  });

  it('a running task: 400 TASK_NOT_COMPLETED from POST /post-to-tiktok', async () => {
    const response = await request(`/api/v1/tasks/${DEMO_IDS.runningTask}/post-to-tiktok`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x', privacyLevel: 'SELF_ONLY' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('TASK_NOT_COMPLETED');
  });

  it('posts over REST and reads the status over tRPC: the same post', async () => {
    const posted = await request(`/api/v1/tasks/${DEMO_IDS.videoTask}/post-to-tiktok`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'From REST #ai', privacyLevel: 'SELF_ONLY' }),
    });
    expect(posted.status).toBe(200);
    const rest = (await posted.json()) as { postId: string; status: string };
    expect(rest.status).toBe('PROCESSING');
    const viaTrpc = await trpcQuery('tiktok.status', { taskId: DEMO_IDS.videoTask });
    expect(viaTrpc.data).toMatchObject({ postId: rest.postId });
    const again = await request(`/api/v1/tasks/${DEMO_IDS.videoTask}/post-status`);
    expect(((await again.json()) as { postId: string }).postId).toBe(rest.postId);
  });

  it('lists accounts over both, the default first and no tokens', async () => {
    const rest = await request('/api/v1/tiktok/accounts');
    const accounts = (await rest.json()) as { isDefault: boolean }[];
    expect(accounts).toHaveLength(2);
    expect(accounts[0]!.isDefault).toBe(true);
    const viaTrpc = await trpcQuery('tiktok.accounts', {});
    expect(accounts).toEqual(JSON.parse(JSON.stringify(viaTrpc.data)));
  });

  it('tRPC mutations work over POST with batching off', async () => {
    const { status, data } = await trpcMutation('tiktok.connect', { instanceId: DEMO_IDS.instance });
    expect(status).toBe(200);
    expect(data).toMatchObject({ authorizeUrl: expect.stringContaining('/v2/auth/authorize/') as string });
  });
});

describe('the OpenAPI document', () => {
  it('says comments, duets and stitches are off (disable*: true) unless the caller allows them', async () => {
    const document = (await (await runtime().app.request('/api/v1/openapi.json')).json()) as {
      paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } } }>;
    };
    const { properties } = document.paths['/tasks/{taskId}/post-to-tiktok']!.post.requestBody.content['application/json']!.schema;
    for (const field of ['disableComment', 'disableDuet', 'disableStitch']) {
      expect(properties[field]).toMatchObject({ type: 'boolean', default: true, description: expect.stringMatching(/unless the caller allows/) as string });
    }
  });

  it('takes the photo post options on the original post path', async () => {
    const document = (await (await runtime().app.request('/api/v1/openapi.json')).json()) as {
      paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } } }>;
    };
    const { properties } = document.paths['/tasks/{taskId}/post-to-tiktok']!.post.requestBody.content['application/json']!.schema;
    expect(properties).toMatchObject({
      mediaType: { enum: ['video', 'photo'] },
      description: { type: 'string', maxLength: 4000 },
      photoCoverIndex: { type: 'integer', minimum: 0, maximum: 34 },
      autoAddMusic: { type: 'boolean' },
    });
  });

  it('is a valid OpenAPI 3 document', async () => {
    const document = (await (await runtime().app.request('/api/v1/openapi.json')).json()) as Parameters<Validator['validate']>[0];
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists the three original paths, the bearer scheme, and error responses', async () => {
    const document = (await (await runtime().app.request('/api/v1/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(document.openapi).toMatch(/^3\./);
    expect(document.paths['/tasks/{taskId}/detail']?.get).toBeDefined();
    expect(document.paths['/tasks/{taskId}/post-to-tiktok']?.post).toBeDefined();
    expect(document.paths['/tasks/{taskId}/post-status']?.get).toBeDefined();
    expect(document.components.securitySchemes).toHaveProperty('bearerAuth');
    expect(Object.keys(document.paths['/tasks/{taskId}/post-to-tiktok']!.post!.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404']),
    );
  });
});
