import pg from 'pg';
import { z } from 'zod';

// The detail statement as the floors run it (floor-server.ts, stack-floor-server.ts): the product's compiled SQL and
// parameters handed over by the benchmark (floor.ts), on a pool of the server's size, as a named statement prepared
// once per connection, as the server runs its detail read.

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

export function openFloorStatement(applicationName: string): { pool: pg.Pool; readDetail: (taskId: string) => Promise<Record<string, unknown> | undefined> } {
  const pool = new pg.Pool({ connectionString: env.FLOOR_DATABASE_URL, max: env.FLOOR_POOL_SIZE, application_name: applicationName });
  return {
    pool,
    readDetail: async (taskId) => {
      const values = env.FLOOR_PARAMETERS.map((parameter) => (isTaskId(parameter) ? taskId : parameter));
      const { rows } = await pool.query<Record<string, unknown>>({ name: 'floor-detail', text: env.FLOOR_SQL, values });
      return rows[0];
    },
  };
}
