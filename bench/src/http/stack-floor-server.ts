import { serve } from '@hono/node-server';
import { initTRPC } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { Hono } from 'hono';
import superjson from 'superjson';
import { z } from 'zod';
import { openFloorStatement } from './floor-statement.js';

// The fixed stack's own price, for calibration: the floor's statement and row (the same SQL, pool and named
// statement as floor-server.ts) answered through what the product is built on and nothing of ours — Hono on
// @hono/node-server (GET /hono/detail/:id, the row as JSON), and tRPC's fetch adapter with superjson and a zod input
// (GET /trpc/tasks.detail, as @reelpost/client asks). No sign-in, rate limit, shaping, output check, log or metric:
// what the server spends beyond these rows is ours.

const { pool, readDetail } = openFloorStatement('reelpost-bench-stack-floor');

const t = initTRPC.create({ transformer: superjson });
const router = t.router({
  tasks: t.router({ detail: t.procedure.input(z.object({ taskId: z.uuid() })).query(async ({ input }) => (await readDetail(input.taskId)) ?? null) }),
});

const app = new Hono();
app.get('/hono/detail/:id', async (c) => c.json((await readDetail(c.req.param('id'))) ?? null));
app.all('/trpc/*', (c) => fetchRequestHandler({ endpoint: '/trpc', req: c.req.raw, router, createContext: () => ({}) }));

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`stack floor listening on http://127.0.0.1:${info.port}`));

process.once('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
