import { installJobQueue } from '@reelpost/api/jobs';
import { exitOnStartupFailure } from '@reelpost/db';
import { startTestDatabaseServer } from '@reelpost/db/testing/server';
import type { TestProject } from 'vitest/node';

// One Postgres for the whole run (DATABASE_URL's server when set, else an embedded one) and one migrated template
// (our schema and the job queue's) that every test file clones into a database of its own.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A database that cannot start is said in a line or two, not as a stack trace behind vitest's banner.
  const { context, teardown } = await startTestDatabaseServer({
    databaseUrl: process.env.DATABASE_URL,
    prepareTemplate: installJobQueue,
  }).catch(exitOnStartupFailure);
  project.provide('reelpostTestDatabase', context);
  return teardown;
}
