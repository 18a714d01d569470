import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../src/demo/seed.js';
import { bearer, useSecurityServer } from './harness.js';
import { answerOf, listProcedures, type ProcedureInfo, restRequest, type Surface, SURFACES, trpcRequest } from './procedures.js';

// Every procedure's input, fuzzed with fast-check over tRPC and REST: arbitrary JSON, arbitrary JavaScript values
// through superjson (Maps, Sets, Dates, BigInts, undefined, sparse arrays, boxed values, null prototypes), valid
// inputs with one field replaced by anything, extra and prototype-polluting keys, huge strings, deep nesting, raw
// bodies that are not JSON, malformed path segments and Authorization headers. Every answer must be a 2xx or a 4xx —
// never a 5xx — and no body may carry a stack trace, a file path or SQL. Nothing may reach Object.prototype, and
// the server must log no failure of its own. The inputs tried are counted and printed.

const server = useSecurityServer();
const procedures = listProcedures();
const tried = { trpc: 0, rest: 0 };

const STACK_OR_PATH = /\n\s+at\s|\bat\s+\S+\s+\(.+:\d+:\d+\)|node_modules|\/work\/|[\w-]+\.(ts|js):\d+/;
const SQL = /\b(select\s[\s\S]{0,200}\sfrom\s|insert\s+into\s|update\s+\S+\s+set\s|delete\s+from\s)|syntax error at or near|violates\s.*constraint|relation ".+" does not exist|invalid input syntax for|\bpg_catalog\b|PostgresError|\bkysely\b/i;

async function send(surface: Surface, [path, init]: [string, RequestInit]) {
  tried[surface] += 1;
  const answer = await answerOf(surface, await server().request(path, init));
  const problems: string[] = [];
  if (answer.status >= 500 || answer.status < 200) problems.push(`status ${answer.status}`);
  if (answer.code === 'INTERNAL') problems.push('code INTERNAL');
  // Successful answers carry the caller's own data (which may say anything); errors are ours to word.
  if (answer.status >= 300 && STACK_OR_PATH.test(answer.text)) problems.push('a stack trace or file path in the body');
  if (answer.status >= 300 && SQL.test(answer.text)) problems.push('SQL in the body');
  if (problems.length > 0) throw new Error(`${init.method ?? 'GET'} ${path.slice(0, 300)} → ${problems.join(', ')}\n${answer.text.slice(0, 1000)}`);
  return answer;
}

let token: string;
let ownAccountId: string;
beforeAll(async () => {
  token = server().runtime.demo!.token;
  const account = await server()
    .runtime.deps.db.selectFrom('instance_tiktok_credentials')
    .select('id')
    .where('instance_id', '=', DEMO_IDS.instance)
    .where('is_default', '=', false)
    .executeTakeFirstOrThrow();
  ownAccountId = account.id;
});

/** A valid input of the demo user's own objects: the base the shaped fuzz changes one thing of. */
function validInput(procedure: ProcedureInfo): Record<string, unknown> {
  const values: Record<string, unknown> = {
    taskId: DEMO_IDS.videoTask,
    instanceId: DEMO_IDS.instance,
    accountId: ownAccountId,
    title: 'Fuzz #ai',
    privacyLevel: 'SELF_ONLY',
  };
  return Object.fromEntries(procedure.fields.filter((field) => field in values).map((field) => [field, values[field]]));
}

/** Input fields that take free text (ids are checked as uuids). */
const TEXT_FIELDS = new Set(['title', 'idempotencyKey', 'cursor', 'redirectTo', 'state', 'code']);

const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'toString', 'valueOf', 'hasOwnProperty'];
const pollutingKey = fc.constantFrom(...POLLUTING_KEYS);

/** Strings of 10 k – 400 k characters, of whatever a short random string repeats to. */
const hugeString = fc
  .tuple(fc.string({ minLength: 1, maxLength: 6, unit: 'grapheme' }), fc.integer({ min: 10_000, max: 400_000 }))
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

/** Any JavaScript value superjson can carry: the types a tRPC client may send by mistake. */
const anyValue = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withBoxedValues: true,
});

/** Deeply nested JSON text (arrays or objects), built as text so the test itself never recurses. */
const deepJson = fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.boolean()).map(([depth, arrays]) => (arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));

/**
 * Runs per property and procedure: about 1,600 inputs in all, some 30 s of the CI run. REELPOST_FUZZ_SCALE=10
 * (or any factor) fuzzes longer on demand: `REELPOST_FUZZ_SCALE=10 npx vitest run apps/server/test/security/fuzz`.
 */
const SCALE = Math.max(1, Number(process.env.REELPOST_FUZZ_SCALE ?? 1) || 1);
const runs = (base: number) => Math.round(base * SCALE);
const RUNS = { json: runs(20), anything: runs(15), shaped: runs(20), keys: runs(10), huge: runs(3), deep: runs(3), raw: runs(8), unsafe: runs(10), edges: runs(50) };

describe.each(procedures.map((procedure) => ({ procedure, name: procedure.path })))('$name', ({ procedure }) => {
  const request = (surface: Surface, input: unknown, raw?: string) =>
    surface === 'trpc' ? trpcRequest(procedure, input, bearer(token), raw) : restRequest(procedure, input, bearer(token), raw);

  it.each(SURFACES)('arbitrary JSON as the whole input (%s)', async (surface) => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (input) => void (await send(surface, request(surface, input)))),
      { numRuns: RUNS.json },
    );
  });

  it('arbitrary JavaScript values through superjson (trpc)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyValue, fc.dictionary(fc.constantFrom(...procedure.fields, 'x'), anyValue)), async (input) => void (await send('trpc', request('trpc', input)))),
      { numRuns: RUNS.anything },
    );
  });

  it.each(SURFACES)('a valid input with one field replaced by anything, wrong types included (%s)', async (surface) => {
    const fields = procedure.fields.length > 0 ? procedure.fields : ['x'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fields), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null)), async (field, value) => {
        await send(surface, request(surface, { ...validInput(procedure), [field]: value }));
      }),
      { numRuns: RUNS.shaped },
    );
  });

  it.each(SURFACES)('extra and prototype-polluting keys, at the top and nested (%s)', async (surface) => {
    await fc.assert(
      fc.asyncProperty(pollutingKey, fc.jsonValue({ maxDepth: 2 }), fc.boolean(), async (key, value, nested) => {
        const valid = JSON.stringify(validInput(procedure)).slice(1, -1);
        const extra = `${JSON.stringify(key)}:${nested ? `{"polluted":${JSON.stringify(value)}}` : JSON.stringify({ polluted: value })}`;
        const raw = `{${valid}${valid ? ',' : ''}${extra}}`;
        // The same object over tRPC (as superjson's envelope) and REST (as the body, or the query for GETs).
        const parsed = JSON.parse(raw) as unknown;
        await send(surface, request(surface, parsed, surface === 'trpc' ? `{"json":${raw}}` : raw));
      }),
      { numRuns: RUNS.keys },
    );
  });

  it.each(SURFACES)('huge strings in every field (%s)', async (surface) => {
    await fc.assert(
      fc.asyncProperty(hugeString, async (huge) => {
        const input = Object.fromEntries((procedure.fields.length > 0 ? procedure.fields : ['x']).map((field) => [field, huge]));
        await send(surface, request(surface, input));
      }),
      { numRuns: RUNS.huge },
    );
  });

  // Issue 17, finding 3: on main a NUL in `title` or `idempotencyKey` reached Postgres and answered 500.
  it.each(SURFACES)('NUL and lone surrogates in any field of a valid input are a 400 INVALID_INPUT (%s)', async (surface) => {
    const unsafe = fc
      .tuple(fc.constantFrom('\u0000', '\ud800', '\udfff', '\ud83d', '\u0000\ud800'), fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }))
      .map(([bad, before, after]) => `fuzz-key-${before}${bad}${after}`);
    const fields = procedure.fields.length > 0 ? procedure.fields : ['x'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fields), unsafe, async (field, value) => {
        const answer = await send(surface, request(surface, { ...validInput(procedure), [field]: value }));
        // A field that takes text refuses it; any other field refuses it as the wrong type, or (REST's coercion of
        // booleans) reads it as a value — either way never a 5xx, which `send` checks.
        if (TEXT_FIELDS.has(field) || field.endsWith('Id')) expect([answer.status, answer.code]).toEqual([400, 'INVALID_INPUT']);
      }),
      { numRuns: RUNS.unsafe },
    );
  });

  it.each(SURFACES)('deep nesting as the input (%s)', async (surface) => {
    await fc.assert(
      fc.asyncProperty(deepJson, async (deep) => void (await send(surface, request(surface, undefined, surface === 'trpc' ? `{"json":${deep}}` : deep)))),
      { numRuns: RUNS.deep },
    );
  });

  it.each(SURFACES)('raw bodies that are not JSON, and broken superjson envelopes (%s)', async (surface) => {
    const envelopes = fc.constantFrom(
      '{"json":{"taskId":"x"},"meta":{"values":{"__proto__":["map"]}}}',
      '{"json":{"a":{}},"meta":{"referentialEqualities":{"a":["__proto__.polluted"]}}}',
      '{"json":{"a":{}},"meta":{"referentialEqualities":{"a":["constructor.prototype.polluted"]}}}',
      '{"json":{"a":1},"meta":{"values":{"a":[["custom","x"]]}}}',
      '{"json":{"a":"1"},"meta":{"values":{"a":["bigint"]},"v":1}}',
      '{"json":"2020-13-45","meta":{"values":["Date"]}}',
      '{"json":null,"meta":{"values":"nonsense"}}',
      '{"meta":{}}',
      '{"json":',
      '',
      'null',
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), envelopes), async (raw) => void (await send(surface, request(surface, undefined, raw)))),
      { numRuns: RUNS.raw },
    );
  });
});

describe('the HTTP edges', () => {
  it('malformed path segments on every REST route (bad percent-escapes, slashes, dots, unicode)', async () => {
    const segment = fc.oneof(fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '..', '.', '%2e%2e', '%2F', '%C0%AF', '%FF%FE', '\u{1F600}', ''), fc.string({ maxLength: 40 }).map(encodeURIComponent));
    const restRoutes = procedures.filter((procedure) => procedure.rest.path.includes('{'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...restRoutes), segment, async (procedure, raw) => {
        const [path, init] = restRequest(procedure, validInput(procedure), bearer(token));
        const id = /[0-9a-f-]{36}/.exec(path)?.[0] ?? '';
        await send('rest', [path.replace(id, raw), init]);
      }),
      { numRuns: RUNS.edges },
    );
  });

  // Issue 17, finding 2: on main one batch ran 950 procedures.
  it('oversized tRPC batches of any procedures are a 400 BATCH_TOO_LARGE, before any runs', async () => {
    const oversized = fc.array(fc.constantFrom(...procedures), { minLength: 21, maxLength: 400 });
    await fc.assert(
      fc.asyncProperty(oversized, fc.boolean(), async (calls, post) => {
        const paths = calls.map((procedure) => procedure.path).join(',');
        const input = encodeURIComponent(JSON.stringify(Object.fromEntries(calls.map((procedure, index) => [index, { json: validInput(procedure) }]))));
        const init = post ? { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: decodeURIComponent(input) } : { headers: bearer(token) };
        const answer = await send('trpc', [`/trpc/${paths}?batch=1${post ? '' : `&input=${input}`}`, init]);
        expect([answer.status, answer.code]).toEqual([400, 'BATCH_TOO_LARGE']);
      }),
      { numRuns: RUNS.unsafe },
    );
  });

  it('arbitrary Authorization headers are a 401 (or a 4xx), never more', async () => {
    const header = fc.oneof(fc.string({ maxLength: 300, unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) }), fc.string({ maxLength: 80 }).map((text) => `Bearer ${Buffer.from(text).toString('base64url')}`));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...procedures), fc.constantFrom(...SURFACES), header, async (procedure, surface, authorization) => {
        const headers = { authorization };
        const request = surface === 'trpc' ? trpcRequest(procedure, validInput(procedure), headers) : restRequest(procedure, validInput(procedure), headers);
        const answer = await send(surface, request);
        if (authorization.trim() !== '') expect(answer.status).toBe(401);
      }),
      { numRuns: RUNS.edges },
    );
  });

  it('unknown tRPC procedures and REST methods, odd content types', async () => {
    const odd = fc.record({
      path: fc.oneof(fc.constantFrom('/trpc/nope', '/trpc/tasks', '/trpc/tasks.list.x', '/trpc/__proto__', '/trpc/constructor', '/api/v1/__proto__', '/api/v1/tasks/constructor/detail'), fc.string({ maxLength: 30 }).map((name) => `/trpc/${encodeURIComponent(name)}`)),
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
      type: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16'),
      body: fc.string({ maxLength: 100 }),
    });
    await fc.assert(
      fc.asyncProperty(odd, async ({ path, method, type, body }) => {
        const surface: Surface = path.startsWith('/trpc') ? 'trpc' : 'rest';
        await send(surface, [path, { method, headers: { ...bearer(token), 'content-type': type }, ...(method === 'GET' || method === 'OPTIONS' ? {} : { body }) }]);
      }),
      { numRuns: RUNS.edges },
    );
  });
});

afterAll(() => {
  console.info(`fuzz: ${tried.trpc + tried.rest} inputs tried (${tried.trpc} over tRPC, ${tried.rest} over REST) on ${procedures.length} procedures`);
});

describe('afterwards', () => {
  it('nothing reached Object.prototype', () => {
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the server logged no failure of its own (no "procedure failed", no "unhandled error")', () => {
    const failures = server()
      .logs.map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((line) => line.level >= 50);
    expect(failures).toEqual([]);
  });
});
