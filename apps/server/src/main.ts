import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startRuntime } from './runtime.js';
import { exitOnStartupError, stopOnSignals } from './shutdown.js';

/** How long shutdown waits for requests in flight before closing their connections. */
const DRAIN_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  const runtime = await startRuntime({ config, env: process.env, logger, role: 'server' });
  const server = serve({ fetch: runtime.app.fetch, port: runtime.port, hostname: config.HOST }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });

  // Read by people (and by the end-to-end test), so plain text rather than a JSON log line.
  console.log(`Reelpost is running at ${runtime.publicUrl}`);
  if (runtime.demo) {
    console.log(`Demo mode: signed in as ${runtime.demo.email}; TikTok is the local emulator at ${runtime.demo.tiktokUrl}`);
    console.log(`Demo token: ${runtime.demo.token}`);
    console.log(`Try it: curl -H "Authorization: Bearer ${runtime.demo.token}" ${runtime.publicUrl}/api/v1/tasks`);
  }

  stopOnSignals(logger, async () => {
    // Stop accepting; requests in flight finish (up to DRAIN_MS), idle keep-alive connections close now.
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    await drained;
    clearTimeout(deadline);
    await runtime.shutdown();
  });
}

main().catch(exitOnStartupError);
