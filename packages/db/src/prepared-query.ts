import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import { prepareStatement } from './prepared-statements.js';

/** Stands for the value while the query is compiled; no caller's value contains a NUL character. */
const PLACEHOLDER = '\u0000reelpost-prepared-query-value\u0000';

interface Compiled<Row> {
  query: CompiledQuery<Row>;
  positions: number[];
}

export type PreparedQuery<DB, Row> = (db: Kysely<DB>, value: string) => Promise<Row[]>;

/**
 * A hot read compiled once per database handle and then run with each request's value. Building and compiling a
 * Kysely query with nested JSON subqueries costs the server more CPU than Postgres spends answering it by primary
 * key. `build` must use the value only as a bound parameter (never to choose clauses), so the SQL is the same for
 * every value; compiling checks that the value reached the parameters.
 */
export function prepareQuery<DB, Row>(build: (db: Kysely<DB>, value: string) => Compilable<Row>): PreparedQuery<DB, Row> {
  const compiledFor = new WeakMap<Kysely<DB>, Compiled<Row>>();
  return async (db, value) => {
    let compiled = compiledFor.get(db);
    if (!compiled) {
      const query = build(db, PLACEHOLDER).compile();
      const positions = query.parameters.flatMap((parameter, index) => (parameter === PLACEHOLDER ? [index] : []));
      if (positions.length === 0) throw new Error('prepareQuery: the query does not bind its value as a parameter.');
      prepareStatement(query.sql);
      compiled = { query, positions };
      compiledFor.set(db, compiled);
    }
    const parameters = [...compiled.query.parameters];
    for (const index of compiled.positions) parameters[index] = value;
    const result = await db.executeQuery<Row>({ ...compiled.query, parameters });
    return result.rows;
  };
}
