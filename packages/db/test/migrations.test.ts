import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../src/create-database.js';
import { migrateDown, migrateToLatest, MigrationError, pendingMigrations } from '../src/migrate.js';
import { migrations } from '../src/migrations/index.js';
import { withDatabaseName } from '../src/open-database.js';
import { testDatabaseContext } from '../src/testing/database.js';

// These tests need databases *without* the template's schema, so they create empty ones of their own.
const opened: DatabaseHandle[] = [];
const created: string[] = [];

async function emptyDatabase(): Promise<DatabaseHandle> {
  const { adminUrl, prefix } = testDatabaseContext();
  const name = `${prefix}empty_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  await admin.end();
  created.push(name);
  const handle = createDatabase({ url: withDatabaseName(adminUrl, name) });
  opened.push(handle);
  return handle;
}

async function tableNames(handle: DatabaseHandle): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_name NOT LIKE 'kysely_%' ORDER BY table_name`.execute(handle.db);
  return rows.map((row) => row.table_name);
}

afterAll(async () => {
  await Promise.all(opened.map((handle) => handle.close()));
  const admin = new pg.Client({ connectionString: testDatabaseContext().adminUrl });
  await admin.connect();
  for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  await admin.end();
});

const ALL_TABLES = [
  'instance_media',
  'instance_tasks',
  'instance_tiktok_credentials',
  'instances',
  'tiktok_oauth_states',
  'tiktok_posts',
  'users',
];

describe('migrations', () => {
  it('bring an empty database to the full schema', async () => {
    const handle = await emptyDatabase();
    const applied = await migrateToLatest(handle.db);
    expect(applied).toEqual(Object.keys(migrations));
    expect(await tableNames(handle)).toEqual(expect.arrayContaining(ALL_TABLES));
    expect(await pendingMigrations(handle.db)).toEqual([]);
  });

  it('are applied once: a second run has nothing to do', async () => {
    const handle = await emptyDatabase();
    await migrateToLatest(handle.db);
    expect(await migrateToLatest(handle.db)).toEqual([]);
  });

  it('can all be undone, leaving an empty schema, and applied again', async () => {
    const handle = await emptyDatabase();
    await migrateToLatest(handle.db);
    for (let i = 0; i < Object.keys(migrations).length; i++) await migrateDown(handle.db);
    expect(await tableNames(handle)).toEqual([]);
    await migrateToLatest(handle.db);
    expect(await tableNames(handle)).toEqual(expect.arrayContaining(ALL_TABLES));
  });

  it('run by two processes at once end on the same schema, each migration applied once', async () => {
    const first = await emptyDatabase();
    // A second, independent pool on the same database stands for a second process.
    const second = createDatabase({ url: withDatabaseName(testDatabaseContext().adminUrl, created.at(-1)!) });
    opened.push(second);
    const [a, b] = await Promise.all([migrateToLatest(first.db), migrateToLatest(second.db)]);
    expect([...a, ...b].sort()).toEqual(Object.keys(migrations).sort());
    const { rows } = await sql<{ count: number }>`SELECT count(*)::int AS count FROM kysely_migration`.execute(first.db);
    expect(rows[0]?.count).toBe(Object.keys(migrations).length);
  });

  it('leave the schema untouched when one fails midway', async () => {
    const handle = await emptyDatabase();
    // A table in the way makes the initial migration fail after it has created several others.
    await sql`CREATE TABLE instance_media (id int)`.execute(handle.db);
    const failure = await migrateToLatest(handle.db).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as MigrationError).message).toMatch(/^Migration up failed in 2026-11-27T0001-initial-schema: .*already exists/);
    expect(await tableNames(handle)).toEqual(['instance_media']);
  });
});
