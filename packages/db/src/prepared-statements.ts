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

/** A statement as pg sends it: by its name when it is marked and names are wanted, else unnamed. */
function statementOf(text: string, values: unknown[], named: boolean): pg.QueryConfig {
  const name = named ? statementNames.get(text) : undefined;
  return name === undefined ? { text, values } : { name, text, values };
}

/** Runs one statement on a pooled connection and answers its rows. */
export type StatementRunner = (text: string, parameters: unknown[]) => Promise<unknown[]>;

const runners = new WeakMap<object, StatementRunner>();

/**
 * Lets `prepareQuery` run its statements on `pool` directly when given this very `db` (not a transaction, which has
 * a connection of its own and is never registered). Kysely's executor wraps a statement in seven async layers
 * (provide, acquire and release a connection, twice over) — about twenty promises for a statement it has nothing
 * left to do for once compiled, and a cost every promise pays again while AsyncLocalStorage's promise hooks are on
 * (tracing, before Node 24).
 */
export function runPreparedOnPool(db: object, pool: pg.Pool, named: boolean): void {
  runners.set(db, async (text, parameters) => {
    // Asked for and awaited, not pool.query's callback: when the pool is busy the callback runs in the context of
    // the request that released a connection, and the statement's span would join that request's trace.
    const client = await pool.connect();
    try {
      const result = await client.query<Record<string, unknown>>(statementOf(text, parameters, named));
      return result.rows;
    } finally {
      client.release();
    }
  });
}

/** The runner `runPreparedOnPool` registered for `db`, if any. */
export const preparedRunnerOf = (db: object): StatementRunner | undefined => runners.get(db);

/** The pool as Kysely sees it: marked statements go to Postgres by name, everything else as before. */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const views = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const viewOf = (client: pg.PoolClient): PostgresPoolClient => {
    const query = (textOrCursor: string | PostgresCursor<unknown>, parameters: readonly unknown[] = []) => {
      if (typeof textOrCursor !== 'string') return client.query(textOrCursor as unknown as pg.Submittable);
      return client.query(statementOf(textOrCursor, [...parameters], true));
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
