import { randomBytes, randomUUID } from 'node:crypto';
import superjson from 'superjson';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../src/demo/seed.js';
import { bearer, demoSignIn, useSecurityServer } from './harness.js';
import { call, listProcedures, type ProcedureInfo, SURFACES } from './procedures.js';
import { nowSeconds, seedAccount, seedVideoTask } from './production.js';
import { hs256 } from './tokens.js';

// Broken object-level authorization: every procedure (from the router) × every field that names an object × another
// user's object → 403 FORBIDDEN, an unknown id → 404 with the object's own code, over tRPC and REST. The caller is
// the demo user (their own seeded instance, tasks and accounts fill every other field) — signed in, and as an
// internal service acting for them with a service token; the other user, Bob, has an instance, a completed video
// task with a scheduled post on it, and a connected default account.

const SERVICE_SECRET = randomBytes(32).toString('base64url');
const server = useSecurityServer({ env: () => ({ SERVICE_JWT_SECRET: SERVICE_SECRET }) });
const procedures = listProcedures();

type Kind = 'task' | 'instance' | 'account';
/** What each object-naming field names. A new kind of id must be added here (the first test says so). */
const KIND_OF_FIELD: Record<string, Kind> = { taskId: 'task', instanceId: 'instance', accountId: 'account' };
const NOT_FOUND_CODE: Record<Kind, string> = { task: 'TASK_NOT_FOUND', instance: 'INSTANCE_NOT_FOUND', account: 'ACCOUNT_NOT_FOUND' };

const BOB_TASK_TITLE = 'Bob’s unreleased launch video';
let alice: { token: string; serviceToken: string; own: Record<Kind, string> };
let bob: { token: string; userId: string; own: Record<Kind, string>; postId: string };

beforeAll(async () => {
  const { runtime } = server();
  const { db } = runtime.deps;
  const defaultAccount = await db
    .selectFrom('instance_tiktok_credentials')
    .select('id')
    .where('instance_id', '=', DEMO_IDS.instance)
    .where('is_default', '=', true)
    .executeTakeFirstOrThrow();
  const aliceSub = (JSON.parse(Buffer.from(runtime.demo!.token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
  // What an internal service (the agent runner) sends to act for Alice: the same checks must hold.
  const serviceToken = hs256(
    { iss: 'reelpost-internal', aud: 'reelpost-api', sub: aliceSub, act: { sub: 'agent-runner' }, scope: 'reelpost:act', iat: nowSeconds(), exp: nowSeconds() + 600 },
    SERVICE_SECRET,
  );
  alice = { token: runtime.demo!.token, serviceToken, own: { task: DEMO_IDS.videoTask, instance: DEMO_IDS.instance, account: defaultAccount.id } };

  const signedIn = await demoSignIn(server(), 'bob@example.com');
  const instance = await db.selectFrom('instances').select('id').where('owner_id', '=', signedIn.userId).executeTakeFirstOrThrow();
  const task = await seedVideoTask(db, instance.id, `${runtime.publicUrl}/demo-media/sample-360x640-4s.mp4`, BOB_TASK_TITLE);
  const [, second] = await server().tiktok.users();
  const { accountId } = await seedAccount(runtime.deps, server().tiktok, instance.id, { username: second!.username });
  // Bob schedules a post of his task for tomorrow: a post that cancel could still act on.
  const posted = await call(server(), 'rest', procedure('tiktok.post'), {
    taskId: task,
    title: 'Tomorrow #ai',
    privacyLevel: 'SELF_ONLY',
    scheduledAt: new Date(Date.now() + 86_400_000).toISOString(),
  }, bearer(signedIn.token));
  expect(posted.status).toBe(200);
  bob = { token: signedIn.token, userId: signedIn.userId, own: { task, instance: instance.id, account: accountId }, postId: (posted.data as { postId: string }).postId };
});

function procedure(path: string): ProcedureInfo {
  const found = procedures.find((candidate) => candidate.path === path);
  if (!found) throw new Error(`no procedure ${path}`);
  return found;
}

/** A well-formed input naming only the caller's own objects. */
function aliceInput(target: ProcedureInfo): Record<string, unknown> {
  const values: Record<string, unknown> = { title: 'BOLA #ai', privacyLevel: 'SELF_ONLY' };
  for (const field of target.idFields) values[field] = alice.own[KIND_OF_FIELD[field]!];
  return Object.fromEntries(target.fields.filter((field) => field in values).map((field) => [field, values[field]]));
}

interface Row {
  procedure: ProcedureInfo;
  field: string;
  kind: Kind;
}
const rows: Row[] = procedures.flatMap((target) => target.idFields.map((field) => ({ procedure: target, field, kind: KIND_OF_FIELD[field]! })));

it('knows what every object-naming field of every procedure names, and the service token is accepted', async () => {
  const unknown = procedures.flatMap((target) => target.idFields.filter((field) => !(field in KIND_OF_FIELD)).map((field) => `${target.path}.${field}`));
  expect(unknown).toEqual([]);
  // Every procedure names at least one object, so every one is in the matrix — but completeConnect, whose object is
  // named by its secret OAuth state (one user's, tested in oauth.test.ts: another user's → 403, unknown → 400).
  expect(new Set(rows.map((row) => row.procedure.path))).toEqual(
    new Set(procedures.map((target) => target.path).filter((path) => path !== 'tiktok.completeConnect')),
  );
  // The service token works for Alice's own objects, so its 403s below are ownership, not a refused token.
  expect((await call(server(), 'rest', procedure('tasks.detail'), { taskId: alice.own.task }, bearer(alice.serviceToken))).status).toBe(200);
});

const CALLERS = [
  { caller: 'Alice', token: () => alice.token },
  { caller: 'a service acting for Alice', token: () => alice.serviceToken },
];

describe.each(SURFACES.flatMap((surface) => CALLERS.map((caller) => ({ surface, ...caller }))))('over $surface, as $caller', ({ surface, token }) => {
  it.each(rows.map((row) => ({ ...row, name: `${row.procedure.path} { ${row.field} }` })))(
    '$name: another user’s $kind → 403 FORBIDDEN, an unknown one → 404',
    async ({ procedure: target, field, kind }) => {
      const foreign = await call(server(), surface, target, { ...aliceInput(target), [field]: bob.own[kind] }, bearer(token()));
      expect({ status: foreign.status, code: foreign.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
      expect(foreign.text).not.toContain(BOB_TASK_TITLE);
      expect(foreign.text).not.toContain('bob');

      const unknown = await call(server(), surface, target, { ...aliceInput(target), [field]: randomUUID() }, bearer(token()));
      expect({ status: unknown.status, code: unknown.code }).toEqual({ status: 404, code: NOT_FOUND_CODE[kind] });
    },
  );
});

it('another user’s post: status and cancel by the task it belongs to → 403, and it stays scheduled', async () => {
  for (const surface of SURFACES) {
    for (const path of ['tiktok.status', 'tiktok.cancel']) {
      const answer = await call(server(), surface, procedure(path), { taskId: bob.own.task }, bearer(alice.token));
      expect({ path, surface, status: answer.status, code: answer.code }).toEqual({ path, surface, status: 403, code: 'FORBIDDEN' });
    }
  }
  const post = await server().runtime.deps.db.selectFrom('tiktok_posts').select(['status', 'task_id']).where('id', '=', bob.postId).executeTakeFirstOrThrow();
  expect(post).toEqual({ status: 'SCHEDULED', task_id: bob.own.task });
});

it('lists show only the caller’s own objects', async () => {
  for (const surface of SURFACES) {
    const tasks = await call(server(), surface, procedure('tasks.list'), {}, bearer(alice.token));
    expect((tasks.data as { items: { id: string }[] }).items.map((item) => item.id)).not.toContain(bob.own.task);
    const accounts = await call(server(), surface, procedure('tiktok.accounts'), {}, bearer(alice.token));
    expect((accounts.data as { id: string }[]).map((account) => account.id)).not.toContain(bob.own.account);
  }
});

it('a tRPC batch is checked call by call: the caller’s own task answers, the other user’s is 403', async () => {
  const input = { 0: superjson.serialize({ taskId: alice.own.task }), 1: superjson.serialize({ taskId: bob.own.task }) };
  const response = await server().request(`/trpc/tasks.detail,tasks.detail?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers: bearer(alice.token),
  });
  const [own, foreign] = (await response.json()) as [{ result?: unknown }, { error?: { json: { data: { appCode: string; httpStatus: number } } } }];
  expect(own.result).toBeDefined();
  expect(foreign.error?.json.data).toMatchObject({ appCode: 'FORBIDDEN', httpStatus: 403 });
});

it('after the whole matrix, nothing of the other user’s changed', async () => {
  const { db } = server().runtime.deps;
  const account = await db.selectFrom('instance_tiktok_credentials').select(['state', 'is_default']).where('id', '=', bob.own.account).executeTakeFirstOrThrow();
  expect(account).toEqual({ state: 'active', is_default: true });
  const posts = await db.selectFrom('tiktok_posts').select(['id', 'status', 'requested_by']).where('task_id', '=', bob.own.task).execute();
  expect(posts).toEqual([{ id: bob.postId, status: 'SCHEDULED', requested_by: bob.userId }]);
  // No connect was started for Bob's instance, and Alice posted nothing with Bob's account.
  expect(await db.selectFrom('tiktok_oauth_states').select('state_hash').where('instance_id', '=', bob.own.instance).execute()).toEqual([]);
  expect(await db.selectFrom('tiktok_posts').select('id').where('account_id', '=', bob.own.account).where('task_id', '<>', bob.own.task).execute()).toEqual([]);
});
