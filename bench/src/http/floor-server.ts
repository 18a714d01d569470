import { createServer } from 'node:http';
import pg from 'pg';
import { z } from 'zod';

// The floor: the least any server could do for tasks.detail — node:http and pg, no framework, no auth, no
// validation, no shaping — running the very SQL the real procedure runs (compiled from its Kysely query by the
// benchmark and handed over here), with the same pool size. The real server's distance from this is its overhead.

const env = z
  .object({
    FLOOR_DATABASE_URL: z.string().min(1),
    FLOOR_POOL_SIZE: z.coerce.number().int().positive(),
    /** The compiled detail query and its parameters, `{"taskId": true}` standing for the task id. */
    FLOOR_SQL: z.string().min(1),
    FLOOR_PARAMETERS: z.string().transform((text) => z.array(z.unknown()).parse(JSON.parse(text))),
  })
  .parse(process.env);
const isTaskId = (parameter: unknown) => typeof parameter === 'object' && parameter !== null && 'taskId' in parameter;

const pool = new pg.Pool({ connectionString: env.FLOOR_DATABASE_URL, max: env.FLOOR_POOL_SIZE, application_name: 'reelpost-bench-floor' });
const DETAIL_PATH = /^\/detail\/([0-9a-f-]{36})$/;

const server = createServer((request, response) => {
  const taskId = DETAIL_PATH.exec(request.url ?? '')?.[1];
  if (!taskId) {
    response.writeHead(404).end();
    return;
  }
  // A named statement, prepared once per connection, as the server runs its detail read.
  const values = env.FLOOR_PARAMETERS.map((parameter) => (isTaskId(parameter) ? taskId : parameter));
  pool.query({ name: 'floor-detail', text: env.FLOOR_SQL, values }).then(
    ({ rows }) => {
      if (rows.length === 0) response.writeHead(404).end();
      else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rows[0]));
    },
    (error: unknown) => response.writeHead(500).end(String(error)),
  );
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (typeof address === 'object' && address) console.log(`floor listening on http://127.0.0.1:${address.port}`);
});

process.once('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
