import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

/** Serves the ops app on its own port (METRICS_PORT), apart from the public one. */
export async function listenInternally(app: Hono, port: number, hostname: string): Promise<Server> {
  const server = serve({ fetch: app.fetch, port, hostname }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return server;
}
