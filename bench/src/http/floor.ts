import { fileURLToPath } from 'node:url';
import type { Database } from '@reelpost/db';
import { selectTaskDetail } from '@reelpost/api';
import type { Kysely } from 'kysely';
import { type BenchChild, startNodeProcess } from '../shared/child-process.js';
import { logFile } from '../shared/results.js';

const FLOOR_ENTRY = fileURLToPath(new URL('./floor-server.ts', import.meta.url));
const STACK_FLOOR_ENTRY = fileURLToPath(new URL('./stack-floor-server.ts', import.meta.url));
const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

export interface CompiledDetailQuery {
  sql: string;
  /** The query's parameters, with `TASK_ID_PARAMETER` where the task id goes. */
  parameters: unknown[];
}

/** Marks the task id among the parameters handed to the floor server. */
export const TASK_ID_PARAMETER = { taskId: true } as const;

/** The SQL tasks.detail sends, byte for byte: the product's own Kysely query, compiled with a placeholder id. */
export function compiledDetailQuery(db: Kysely<Database>): CompiledDetailQuery {
  const { sql, parameters } = selectTaskDetail(db, PLACEHOLDER_ID).compile();
  if (!parameters.includes(PLACEHOLDER_ID)) throw new Error('the detail query no longer takes the task id as a parameter');
  return { sql, parameters: parameters.map((parameter) => (parameter === PLACEHOLDER_ID ? TASK_ID_PARAMETER : parameter)) };
}

interface FloorOptions {
  databaseUrl: string;
  poolSize: number;
  query: CompiledDetailQuery;
}

async function startFloorProcess(name: string, entry: string, options: FloorOptions): Promise<{ child: BenchChild; url: string }> {
  const child = startNodeProcess({
    name,
    args: ['--import', 'tsx', entry],
    env: { FLOOR_DATABASE_URL: options.databaseUrl, FLOOR_POOL_SIZE: String(options.poolSize), FLOOR_SQL: options.query.sql, FLOOR_PARAMETERS: JSON.stringify(options.query.parameters) },
    logFile: logFile(name),
  });
  const [, url] = await child.waitFor(/floor listening on (\S+)/);
  return { child, url: url! };
}

/** The floor: node:http and pg running the detail statement (floor-server.ts). */
export function startFloorServer(options: FloorOptions): Promise<{ child: BenchChild; url: string }> {
  return startFloorProcess('floor', FLOOR_ENTRY, options);
}

/** The same statement through Hono, and through tRPC with superjson (stack-floor-server.ts): the stack's own price. */
export function startStackFloorServer(options: FloorOptions): Promise<{ child: BenchChild; url: string }> {
  return startFloorProcess('stack-floor', STACK_FLOOR_ENTRY, options);
}
