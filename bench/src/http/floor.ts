import { fileURLToPath } from 'node:url';
import type { Database } from '@reelpost/db';
import { selectTaskDetail } from '@reelpost/api';
import type { Kysely } from 'kysely';
import { type BenchChild, startNodeProcess } from '../shared/child-process.js';
import { logFile } from '../shared/results.js';

const FLOOR_ENTRY = fileURLToPath(new URL('./floor-server.ts', import.meta.url));
const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

/**
 * The SQL tasks.detail sends, byte for byte: the product's own Kysely query, compiled. Its one parameter is the
 * task id; anything else would mean the query changed shape and the floor no longer measures the same work.
 */
export function compiledDetailSql(db: Kysely<Database>): string {
  const { sql, parameters } = selectTaskDetail(db, PLACEHOLDER_ID).compile();
  if (parameters.length !== 1 || parameters[0] !== PLACEHOLDER_ID) {
    throw new Error(`the detail query now takes ${parameters.length} parameters; teach the floor server about them`);
  }
  return sql;
}

export async function startFloorServer(options: { databaseUrl: string; poolSize: number; sql: string }): Promise<{ child: BenchChild; url: string }> {
  const child = startNodeProcess({
    name: 'floor',
    args: ['--import', 'tsx', FLOOR_ENTRY],
    env: { FLOOR_DATABASE_URL: options.databaseUrl, FLOOR_POOL_SIZE: String(options.poolSize), FLOOR_SQL: options.sql },
    logFile: logFile('floor'),
  });
  const [, url] = await child.waitFor(/floor listening on (\S+)/);
  return { child, url: url! };
}
