import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { AppEnv } from './app.js';

const API_PREFIXES = ['/trpc', '/api/', '/dev/', '/tiktok/', '/webhooks/', '/demo-media/', '/healthz', '/readyz'];

/**
 * Serves the built reference page at `/`, with index.html for the page's own routes (a single-page app) when a
 * browser navigates there (it asks for text/html); API clients asking for an unknown path still get the JSON 404.
 */
export function mountWebAssets(app: Hono<AppEnv>, distDir: string): void {
  app.use('*', serveStatic({ root: distDir }));
  app.get('*', async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (API_PREFIXES.some((prefix) => path.startsWith(prefix))) return next();
    if (!(c.req.header('accept') ?? '').includes('text/html')) return next();
    return c.html(await readFile(join(distDir, 'index.html'), 'utf8'));
  });
}
