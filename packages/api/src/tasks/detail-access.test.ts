import { useTestDatabase } from '@reelpost/db/testing';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { callerFor, createOwner, type Db, insertTask } from './testing/fixtures.js';

const database = useTestDatabase();
let db: Db;
let owner: Awaited<ReturnType<typeof createOwner>>;

beforeAll(async () => {
  db = database().db;
  owner = await createOwner(db, 'alice');
});

describe('tasks.detail: who may read a task', () => {
  async function failureOf(promise: Promise<unknown>): Promise<AppError> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }

  it("answers 403 for another user's task", async () => {
    const task = await insertTask(db, owner.instance.id);
    const mallory = await createOwner(db, 'mallory');
    const error = await failureOf(callerFor(db, mallory.user.id).tasks.detail({ taskId: task.id }));
    expect({ code: error.code, appCode: error.appCode }).toEqual({ code: 'FORBIDDEN', appCode: 'FORBIDDEN' });
  });

  it('answers 404 for a task that does not exist', async () => {
    const error = await failureOf(callerFor(db, owner.user.id).tasks.detail({ taskId: randomUUID() }));
    expect({ code: error.code, appCode: error.appCode }).toEqual({ code: 'NOT_FOUND', appCode: 'TASK_NOT_FOUND' });
    expect(error.hint).toMatch(/task id/);
  });
});
