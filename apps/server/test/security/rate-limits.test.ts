import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type Runtime, startRuntime } from '../../src/runtime.js';
import { bearer, demoSignIn, useSecurityServer } from './harness.js';
import { answerOf } from './procedures.js';

// Issue 17, finding 2: on main nothing limited a caller — 2,000 reads were 2,000 answers, and every process counted
// (nothing) on its own. Here reads are limited to 100 a minute per user (per address: far more), and a second app
// instance on the same database shares every count. Each test fails on main.

const READS = 100;
const server = useSecurityServer({
  env: () => ({ RATE_LIMIT_READS: String(READS), RATE_LIMIT_READS_PER_IP: '100000', RATE_LIMIT_DEV_TOKEN_PER_IP: '10' }),
});

let flooder: string;
let bystander: string;
let sharer: string;
let second: Runtime | undefined;
beforeAll(async () => {
  flooder = server().runtime.demo!.token;
  bystander = (await demoSignIn(server(), 'bystander@example.com')).token;
  sharer = (await demoSignIn(server(), 'sharer@example.com')).token;
  // A second app instance on the same database (as a second server process would be).
  second = await startRuntime({ config: loadConfig(server().env), logger: createLogger({ level: 'silent' }), role: 'server' });
}, 60_000);
afterAll(async () => {
  await second?.shutdown();
});

/** A read over the socket (the client's address is seen), alternating tRPC and REST. */
async function read(token: string, index: number) {
  const base = server().runtime.publicUrl.replace('//localhost:', '//127.0.0.1:');
  const surface = index % 2 === 0 ? 'trpc' : 'rest';
  const path = surface === 'trpc' ? `/trpc/tasks.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}` : '/api/v1/tasks';
  const response = await fetch(`${base}${path}`, { headers: bearer(token) });
  const retryAfter = response.headers.get('retry-after');
  return { surface, retryAfter, ...(await answerOf(surface, response)) };
}

describe('per user', () => {
  it('2,000 reads from one user: the first 100 answered, the rest 429 RATE_LIMITED with Retry-After on both surfaces; another user is answered', { timeout: 120_000 }, async () => {
    const started = performance.now();
    const answers: Awaited<ReturnType<typeof read>>[] = [];
    for (let batch = 0; batch < 2_000 / 50; batch++) {
      answers.push(...(await Promise.all(Array.from({ length: 50 }, (_, i) => read(flooder, batch * 50 + i)))));
    }
    console.info(`rate limits: 2,000 reads in ${Math.round(performance.now() - started)} ms`);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(READS);
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(refused).toHaveLength(2_000 - READS);
    for (const surface of ['trpc', 'rest']) {
      const one = refused.find((answer) => answer.surface === surface)!;
      expect([one.status, one.code]).toEqual([429, 'RATE_LIMITED']);
      expect(Number(one.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(one.retryAfter)).toBeLessThanOrEqual(60);
    }
    expect(refused.every((answer) => answer.status === 429 && answer.code === 'RATE_LIMITED' && answer.retryAfter !== null)).toBe(true);

    const other = await read(bystander, 0);
    expect(other.status).toBe(200);
  });
});

describe('shared by every process', () => {
  it('two app instances on one database allow one user 100 reads between them, not 100 each', { timeout: 60_000 }, async () => {
    const instances = [server().runtime, second!];
    let answered = 0;
    for (let i = 0; i < 160; i++) {
      const response = await instances[i % 2]!.app.request('/api/v1/tasks', { headers: bearer(sharer) });
      if (response.status === 200) answered += 1;
      else expect(response.status).toBe(429);
    }
    expect(answered).toBe(READS);
  });
});

describe('per address', () => {
  it('POST /dev/token: 10 sign-ins a minute from one address, then 429 RATE_LIMITED with Retry-After', async () => {
    const base = server().runtime.publicUrl.replace('//localhost:', '//127.0.0.1:');
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 12; i++) {
      last = await fetch(`${base}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `many-${i}@example.com` }) });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(200), 429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await last!.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  });
});

describe('pending OAuth connects', () => {
  it('a user may have 5 connects started and unfinished; the 6th is 429 RATE_LIMITED until the oldest expires', async () => {
    const { token, userId } = await demoSignIn(server(), 'connector@example.com');
    const instance = await server().runtime.deps.db.selectFrom('instances').select('id').where('owner_id', '=', userId).executeTakeFirstOrThrow();
    const connect = () =>
      server().request('/api/v1/tiktok/connect', { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify({ instanceId: instance.id }) });
    for (let i = 0; i < 5; i++) expect((await connect()).status).toBe(200);
    const sixth = await connect();
    expect(sixth.status).toBe(429);
    expect(await sixth.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
  });
});
