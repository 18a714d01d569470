import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFile, startServer, type TestServer } from '@reelpost/api/testing/video-servers';
import { demoMediaDirectory } from '../../src/paths.js';
import { bearer } from './harness.js';
import { answerOf, listProcedures } from './procedures.js';
import { seedAccount, seedOwner, seedVideoTask, useProductionLikeServer } from './production.js';

// Issue 17, finding 2 (unbounded work per request). On main's code: one tRPC batch ran 950 procedures, and every
// repeat of a tiktok.post fetched the video URL again before finding the existing post. Both tests fail there.

const STORAGE_HOST = '127.0.0.2';
/** Requests of our video guard (its user agent) at the storage host; TikTok's own pulls are not counted. */
let guardFetches = 0;
let storage: TestServer;
beforeAll(async () => {
  const video = serveFile({ body: readFileSync(`${demoMediaDirectory}/sample-360x640-4s.mp4`), contentType: 'video/mp4' });
  storage = await startServer(
    (request: IncomingMessage, response: ServerResponse) => {
      if (request.headers['user-agent']?.startsWith('ReelpostVideoGuard')) guardFetches += 1;
      if (request.url === '/videos/ok.mp4') return video(request, response);
      response.writeHead(404).end();
    },
    { host: STORAGE_HOST },
  );
});
afterAll(async () => {
  await storage?.close();
});

const prefix = () => `http://${STORAGE_HOST}:${storage.port}/videos/`;
const staging = useProductionLikeServer({
  env: () => ({ VIDEO_URL_PREFIXES: prefix(), VIDEO_URL_ALLOW_HTTP: 'true', VIDEO_URL_PRIVATE_ALLOW_LIST: STORAGE_HOST }),
});

let owner: { token: string; taskId: string };
beforeAll(async () => {
  await staging.emulator().configureApp({ verifiedUrlPrefixes: [prefix()] });
  const { runtime } = staging.server();
  const seeded = await seedOwner(runtime.deps.db, 'oidc|bounded');
  await seedAccount(runtime.deps, staging.emulator(), seeded.instanceId);
  const taskId = await seedVideoTask(runtime.deps.db, seeded.instanceId, `${prefix()}ok.mp4`);
  owner = { token: await staging.userToken('oidc|bounded'), taskId };
});

describe('a tRPC batch is capped (MAX_BATCH_ITEMS, 20 by default)', { timeout: 60_000 }, () => {
  const batch = (calls: number) => {
    const paths = Array.from({ length: calls }, () => 'tiktok.accounts').join(',');
    const input = Object.fromEntries(Array.from({ length: calls }, (_, index) => [index, { json: {} }]));
    return `/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`;
  };

  it('answers 20 calls in one request', async () => {
    const response = await staging.server().request(batch(20), { headers: bearer(owner.token) });
    expect(response.status).toBe(200);
    expect(((await response.json()) as unknown[]).length).toBe(20);
  });

  it('refuses 21 calls, and 950, with 400 BATCH_TOO_LARGE before running any', async () => {
    for (const calls of [21, 950]) {
      const answer = await answerOf('trpc', await staging.server().request(batch(calls), { headers: bearer(owner.token) }));
      expect([answer.status, answer.code]).toEqual([400, 'BATCH_TOO_LARGE']);
    }
  });

  it('counts percent-encoded commas as well', async () => {
    const paths = Array.from({ length: 30 }, () => 'tiktok.accounts').join('%2C');
    const answer = await answerOf('trpc', await staging.server().request(`/trpc/${paths}?batch=1`, { headers: bearer(owner.token) }));
    expect([answer.status, answer.code]).toEqual([400, 'BATCH_TOO_LARGE']);
  });

  it('holds for every procedure (queries over GET, mutations over POST)', async () => {
    for (const procedure of listProcedures()) {
      const paths = Array.from({ length: 21 }, () => procedure.path).join(',');
      const init = procedure.type === 'query' ? { headers: bearer(owner.token) } : { method: 'POST', headers: { ...bearer(owner.token), 'content-type': 'application/json' }, body: '{}' };
      const answer = await answerOf('trpc', await staging.server().request(`/trpc/${paths}?batch=1`, init));
      expect([procedure.path, answer.status, answer.code]).toEqual([procedure.path, 400, 'BATCH_TOO_LARGE']);
    }
  });
});

describe('a repeated post is answered before the video URL is fetched again', { timeout: 60_000 }, () => {
  it('fetches the storage host for the first post only, however often the same request comes again', async () => {
    const post = (body: Record<string, unknown>) =>
      staging.server().request(`/api/v1/tasks/${owner.taskId}/post-to-tiktok`, {
        method: 'POST',
        headers: { ...bearer(owner.token), 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Posted once #ai', privacyLevel: 'SELF_ONLY', ...body }),
      });
    const first = await post({});
    expect(first.status).toBe(200);
    const fetchesForFirst = guardFetches;
    expect(fetchesForFirst).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect((await post({})).status).toBe(200);
    // A different request for the same task and account is refused (409) from the database, without fetching either.
    expect((await post({ title: 'Another caption' })).status).toBe(409);
    expect(guardFetches).toBe(fetchesForFirst);
  });
});
