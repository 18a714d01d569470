import { describe, expect, it } from 'vitest';
import { findFreePort } from '../src/embedded-postgres.js';
import pg from 'pg';
import { describeDatabaseError, isDatabaseUnavailable, redactDatabaseUrl } from '../src/errors.js';
import { DatabaseStartupError, openDatabase, withDatabaseName } from '../src/open-database.js';
import { useTestDatabase } from '../src/testing/database.js';

const database = useTestDatabase();

async function startupFailure(databaseUrl: string): Promise<Error> {
  const failure = await openDatabase({ databaseUrl }).catch((error: unknown) => error);
  if (!(failure instanceof Error)) throw new Error('expected start-up to fail');
  return failure;
}

describe('opening the database at start-up', () => {
  it('connects to DATABASE_URL and finds the schema up to date', async () => {
    const opened = await openDatabase({ databaseUrl: database().url });
    expect(opened.embedded).toBe(false);
    await expect(opened.db.selectFrom('users').select('id').execute()).resolves.toEqual([]);
    await opened.shutdown();
  });

  it('refuses a URL that is not postgres:// with one line saying what is expected', async () => {
    const failure = await startupFailure('mysql://root@localhost/app');
    expect(failure).toBeInstanceOf(DatabaseStartupError);
    expect(failure.message).toBe(
      'DATABASE_URL must start with postgres:// or postgresql://, not mysql://; expected postgres://user:password@host:5432/database',
    );
  });

  it('refuses text that is not a URL', async () => {
    const failure = await startupFailure('localhost:5432');
    expect(failure.message).toMatch(/^DATABASE_URL (is not a URL|must start with postgres)/);
  });

  it('names an unreachable server and hides the password', async () => {
    const port = await findFreePort();
    const failure = await startupFailure(`postgres://app:hunter2@127.0.0.1:${port}/app`);
    expect(failure).toBeInstanceOf(DatabaseStartupError);
    expect(failure.message).toContain(`Cannot reach Postgres at postgres://app:***@127.0.0.1:${port}/app`);
    expect(failure.message).toContain('is Postgres running');
    expect(failure.message).not.toContain('hunter2');
    expect(failure.message.split('\n')).toHaveLength(1);
  });

  it('says so when the database does not exist', async () => {
    const failure = await startupFailure(withDatabaseName(database().url, 'no_such_database_here'));
    expect(failure.message).toContain('does not exist; create it first');
  });
});

describe('database error descriptions', () => {
  it('read the code of the first error inside an AggregateError', () => {
    const aggregate = Object.assign(new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })], ''), {});
    expect(describeDatabaseError(aggregate)).toContain('is Postgres running');
  });

  it('fall back to the message of an unknown error', () => {
    expect(describeDatabaseError(new Error('something odd'))).toBe('something odd');
    expect(describeDatabaseError('plain text')).toBe('plain text');
  });

  it('never print an unparseable URL back', () => {
    expect(redactDatabaseUrl('::not a url::secret')).toBe('<unparseable DATABASE_URL>');
  });
});

describe('telling an unavailable database from a failed query', () => {
  const failureOf = (work: Promise<unknown>) => work.then(() => new Error('expected a failure'), (error: unknown) => error);

  it('calls nothing listening there unavailable', async () => {
    const client = new pg.Client({ connectionString: `postgres://app:x@127.0.0.1:${await findFreePort()}/app` });
    expect(isDatabaseUnavailable(await failureOf(client.connect()))).toBe(true);
  });

  it('calls a connection the server terminated (a restart) unavailable, and a refused query not', async () => {
    const client = new pg.Client({ connectionString: database().url });
    client.on('error', () => undefined);
    await client.connect();
    expect(isDatabaseUnavailable(await failureOf(client.query('SELECT * FROM no_such_table')))).toBe(false);
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const admin = new pg.Client({ connectionString: database().url });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await admin.end();
    expect(isDatabaseUnavailable(await failureOf(client.query('SELECT 1')))).toBe(true);
    await client.end().catch(() => undefined);
  });

  it('looks through causes and aggregates', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: new AggregateError([refused]) }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable('plain text')).toBe(false);
  });
});
