import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from './app.js';
import { mountWebAssets, WEB_PAGE_CSP } from './web-assets.js';

describe('mountWebAssets', () => {
  let dist: string;
  let app: Hono<AppEnv>;
  const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'reelpost-web-dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    await writeFile(join(dist, 'assets', 'app.js'), 'console.log(1)');
    app = new Hono<AppEnv>();
    app.get('/api/v1/known', (c) => c.json({ ok: true }));
    mountWebAssets(app, dist);
    app.notFound((c) => c.json({ error: { code: 'NOT_FOUND' } }, 404));
  });
  afterAll(() => rm(dist, { recursive: true, force: true }));

  it('serves the page at / and its assets', async () => {
    const page = await app.request('/', { headers: html });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="root"');
    const script = await app.request('/assets/app.js');
    expect(script.status).toBe(200);
    expect(await script.text()).toBe('console.log(1)');
  });

  it('serves the page with its Content-Security-Policy: own scripts only, never framed', async () => {
    for (const path of ['/', '/index.html', '/tasks/d0000000-0000-4000-8000-000000000011']) {
      const csp = (await app.request(path, { headers: html })).headers.get('content-security-policy');
      expect(csp).toBe(WEB_PAGE_CSP);
    }
    expect(WEB_PAGE_CSP).toContain("script-src 'self'");
    expect(WEB_PAGE_CSP).toContain("frame-ancestors 'none'");
  });

  it('answers the page’s own routes with index.html when a browser navigates there', async () => {
    const response = await app.request('/tasks/d0000000-0000-4000-8000-000000000011', { headers: html });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
  });

  it('leaves API paths and non-browser requests to the API’s own answers', async () => {
    expect((await app.request('/api/v1/known', { headers: html })).status).toBe(200);
    expect((await app.request('/api/v1/unknown', { headers: html })).status).toBe(404);
    expect((await app.request('/trpc/tasks.nothing', { headers: html })).status).toBe(404);
    const unknown = await app.request('/nowhere');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: 'NOT_FOUND' } });
  });
});
