import { serve } from '@hono/node-server';
import { initTRPC } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { Hono } from 'hono';
import pg from 'pg';
import superjson from 'superjson';
import { z } from 'zod';

// The fixed stack's own price, for calibration: the floor's statement and row (the same SQL, pool and named
// statement as floor-server.ts) answered through what the product is built on and nothing of ours — Hono on
// @hono/node-server (GET /hono/detail/:id, the row as JSON), and tRPC's fetch adapter with superjson and a zod input
// (GET /trpc/tasks.detail, as @reelpost/client asks). No sign-in, rate limit, shaping, output check, log or metric:
// what the server spends beyond these rows is ours.

const env = z
  .object({
    FLOOR_DATABASE_URL: z.string().min(1),
    FLOOR_POOL_SIZE: z.coerce.number().int().positive(),
    FLOOR_SQL: z.string().min(1),
    FLOOR_PARAMETERS: z.string().transform((text) => z.array(z.unknown()).parse(JSON.parse(text))),
  })
  .parse(process.env);
const isTaskId = (parameter: unknown) => typeof parameter === 'object' && parameter !== null && 'taskId' in parameter;

const pool = new pg.Pool({ connectionString: env.FLOOR_DATABASE_URL, max: env.FLOOR_POOL_SIZE, application_name: 'reelpost-bench-stack-floor' });

async function readDetail(taskId: string): Promise<unknown> {
  const values = env.FLOOR_PARAMETERS.map((parameter) => (isTaskId(parameter) ? taskId : parameter));
  const { rows } = await pool.query({ name: 'floor-detail', text: env.FLOOR_SQL, values });
  return rows[0] ?? null;
}

const t = initTRPC.create({ transformer: superjson });
const router = t.router({
  tasks: t.router({ detail: t.procedure.input(z.object({ taskId: z.uuid() })).query(({ input }) => readDetail(input.taskId)) }),
});

const app = new Hono();
app.get('/hono/detail/:id', async (c) => c.json(await readDetail(c.req.param('id'))));
app.all('/trpc/*', (c) => fetchRequestHandler({ endpoint: '/trpc', req: c.req.raw, router, createContext: () => ({}) }));

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`stack floor listening on http://127.0.0.1:${info.port}`));

process.once('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
