import { createHash } from 'node:crypto';
import type { PostgresCursor, PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** Statement texts to run as named prepared statements, with their names. */
const statementNames = new Map<string, string>();

/**
 * Marks a statement's text to be run as a named prepared statement on every connection of a `createDatabase` pool:
 * each connection then parses and plans it once, and Postgres settles on a generic plan, instead of parsing and
 * planning it for every request (for the detail read, planning took longer than executing).
 */
export function prepareStatement(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `reelpost_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** The pool as Kysely sees it: marked statements go to Postgres by name, everything else as before. */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const views = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const viewOf = (client: pg.PoolClient): PostgresPoolClient => {
    const query = (textOrCursor: string | PostgresCursor<unknown>, parameters: readonly unknown[] = []) => {
      if (typeof textOrCursor !== 'string') return client.query(textOrCursor as unknown as pg.Submittable);
      const name = statementNames.get(textOrCursor);
      return name === undefined
        ? client.query(textOrCursor, [...parameters])
        : client.query({ name, text: textOrCursor, values: [...parameters] });
    };
    // One implementation behind Kysely's two overloads (statement text, or a cursor it streams from).
    return { query: query as unknown as PostgresPoolClient['query'], release: (destroy) => client.release(destroy) };
  };
  return {
    async connect() {
      const client = await pool.connect();
      let view = views.get(client);
      if (view === undefined) {
        view = viewOf(client);
        views.set(client, view);
      }
      return view;
    },
    end: () => pool.end(),
  };
}
