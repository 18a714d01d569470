import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import { preparedRunnerOf, prepareStatement } from './prepared-statements.js';

/** Stands for a value while the query is compiled; no caller's value contains a NUL character. */
const placeholderFor = (name: string) => `\u0000reelpost-prepared-query-value:${name}\u0000`;

/** A query's values: one string, or several named ones (strings, numbers, null). */
export type PreparedValues = string | Readonly<Record<string, string | number | null>>;

interface Compiled<Row> {
  query: CompiledQuery<Row>;
  /** Which parameter takes which value: the value's name ('' for a single string value) by parameter index. */
  positions: [index: number, name: string][];
}

export type PreparedQuery<DB, Row, Values extends PreparedValues = string> = (db: Kysely<DB>, values: Values) => Promise<Row[]>;

/**
 * A hot read compiled once per database handle and then run with each request's values. Building and compiling a
 * Kysely query with nested JSON subqueries costs the server more CPU than Postgres spends answering it by primary
 * key. `build` must use each value only as a bound parameter (never to choose clauses, never in arithmetic), so the
 * SQL is the same for every call; compiling checks that every value reached the parameters. Queries whose shape
 * differs (a cursor or not) are prepared once per shape.
 */
export function prepareQuery<DB, Row, Values extends PreparedValues = string>(
  build: (db: Kysely<DB>, values: Values) => Compilable<Row>,
): PreparedQuery<DB, Row, Values> {
  const compiledFor = new WeakMap<Kysely<DB>, Compiled<Row>>();
  return async (db, values) => {
    let compiled = compiledFor.get(db);
    if (!compiled) {
      compiled = compile(db, build, values);
      compiledFor.set(db, compiled);
    }
    const parameters = [...compiled.query.parameters];
    for (const [index, name] of compiled.positions) {
      parameters[index] = typeof values === 'string' ? values : values[name];
    }
    // Straight to the pool when `db` is a createDatabase handle (prepared-statements.ts says why); a transaction, or a
    // handle made elsewhere, goes through Kysely.
    const run = preparedRunnerOf(db);
    if (run) return (await run(compiled.query.sql, parameters)) as Row[];
    const result = await db.executeQuery<Row>({ ...compiled.query, parameters });
    return result.rows;
  };
}

function compile<DB, Row, Values extends PreparedValues>(
  db: Kysely<DB>,
  build: (db: Kysely<DB>, values: Values) => Compilable<Row>,
  example: Values,
): Compiled<Row> {
  const names = typeof example === 'string' ? [''] : Object.keys(example);
  // The placeholders stand in for values of any type: `build` only passes them on to Kysely as parameters.
  const placeholders = (typeof example === 'string' ? placeholderFor('') : Object.fromEntries(names.map((name) => [name, placeholderFor(name)]))) as Values;
  const query = build(db, placeholders).compile();
  const positions: Compiled<Row>['positions'] = [];
  query.parameters.forEach((parameter, index) => {
    const name = names.find((candidate) => parameter === placeholderFor(candidate));
    if (name !== undefined) positions.push([index, name]);
  });
  for (const name of names) {
    if (!positions.some(([, bound]) => bound === name)) {
      throw new Error(`prepareQuery: the query does not bind its value${name ? ` "${name}"` : ''} as a parameter.`);
    }
  }
  prepareStatement(query.sql);
  return { query, positions };
}
