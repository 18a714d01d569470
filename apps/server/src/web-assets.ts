import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { AppEnv } from './app.js';

/**
 * The reference page's Content-Security-Policy: its own scripts and styles only, API calls to this server only, and
 * media (videos, thumbnails, avatars) from http(s) hosts — task outputs live on storage hosts, demo avatars on the
 * emulator. A URL an agent wrote can then never run as script on the page, nor the page be framed (issue 17,
 * finding 8).
 */
export const WEB_PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: http: data:",
  "media-src 'self' https: http:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const API_PREFIXES = ['/trpc', '/api/', '/dev/', '/tiktok/', '/webhooks/', '/demo-media/', '/healthz', '/readyz'];

/**
 * Serves the built reference page at `/`, with index.html for the page's own routes (a single-page app) when a
 * browser navigates there (it asks for text/html); API clients asking for an unknown path still get the JSON 404.
 */
export function mountWebAssets(app: Hono<AppEnv>, distDir: string): void {
  // Every page and asset answered from here (the API's own routes answered before this and never reach it).
  app.use('*', async (c, next) => {
    await next();
    if ((c.res.headers.get('content-type') ?? '').startsWith('text/html')) c.res.headers.set('content-security-policy', WEB_PAGE_CSP);
  });
  app.use('*', serveStatic({ root: distDir }));
  app.get('*', async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (API_PREFIXES.some((prefix) => path.startsWith(prefix))) return next();
    if (!(c.req.header('accept') ?? '').includes('text/html')) return next();
    return c.html(await readFile(join(distDir, 'index.html'), 'utf8'));
  });
}
