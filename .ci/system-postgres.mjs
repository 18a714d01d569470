// `create`: make a throwaway database on the system PostgreSQL (127.0.0.1:5432, trust auth) and print its URL;
// exits 1 when no server answers. `drop <url>`: remove it again.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

// pg is a dependency of @reelpost/db, not of the root: resolve it from there.
const pg = createRequire(new URL('../packages/db/package.json', import.meta.url))('pg');

const SERVER = 'postgres://postgres@127.0.0.1:5432/test';
const [command, url] = process.argv.slice(2);

const client = new pg.Client({ connectionString: SERVER, connectionTimeoutMillis: 3000 });
try {
  await client.connect();
} catch (error) {
  console.error(`system PostgreSQL unavailable: ${error.message}`);
  process.exit(1);
}
try {
  if (command === 'create') {
    const name = `reelpost_ci_${randomBytes(4).toString('hex')}`;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    process.stdout.write(`postgres://postgres@127.0.0.1:5432/${name}\n`);
  } else if (command === 'drop' && url) {
    const name = new URL(url).pathname.slice(1);
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  } else {
    throw new Error('usage: system-postgres.mjs create | drop <url>');
  }
} finally {
  await client.end();
}
