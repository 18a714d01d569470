import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { listenHostOf, loadConfig } from './config.js';
import { listenInternally } from './observability/internal-port.js';
import { createLogger } from './logger.js';
import { startTelemetry } from './observability/telemetry.js';
import { exitOnStartupError, stopOnSignals } from './shutdown.js';

/** How long shutdown waits for requests in flight before closing their connections. */
const DRAIN_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  // Before the runtime is loaded: the pg instrumentation patches pg as it is first imported.
  const telemetry = startTelemetry({ config, role: 'server' });
  const { startRuntime } = await import('./runtime.js');
  const runtime = await startRuntime({ config, logger, role: 'server', telemetry });
  const host = listenHostOf(config);
  const server = serve({ fetch: runtime.app.fetch, port: runtime.port, hostname: host }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  }).catch(async (error: NodeJS.ErrnoException) => {
    await runtime.shutdown();
    if (error.code !== 'EADDRINUSE') throw error;
    throw new Error(`Port ${runtime.port} is already in use on ${host}: stop what uses it, or set PORT to another port (PORT=0 picks a free one).`);
  });

  const ops = runtime.opsApp && config.METRICS_PORT !== undefined ? await listenInternally(runtime.opsApp, config.METRICS_PORT, config.METRICS_HOST) : null;

  // Before the lines below: whoever reads them (a person, a test) may stop the server the moment they appear.
  stopOnSignals(logger, async () => {
    // Stop accepting; requests in flight finish (up to DRAIN_MS), idle keep-alive connections close now. Live status
    // streams never finish by themselves: they end now, telling their clients to reconnect (to another server).
    runtime.closeStreams();
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    await drained;
    clearTimeout(deadline);
    await runtime.shutdown();
    ops?.close();
    await telemetry.shutdown();
  });

  // Read by people (and by the end-to-end test), so plain text rather than a JSON log line.
  // Loud on purpose: demo mode signs anyone in by email, and must never be mistaken for a deployment.
  console.log(`Reelpost is running at ${runtime.publicUrl}${runtime.demo ? ' in DEMO MODE — for trying it on this machine, never for real users or data' : ''}`);
  if (runtime.embeddedDataDir) console.log(`Embedded Postgres: data in ${runtime.embeddedDataDir}`);
  if (runtime.demo) {
    console.log(`Demo mode: signed in as ${runtime.demo.email}; TikTok is the local emulator at ${runtime.demo.tiktokUrl}`);
    console.log(`Demo token: ${runtime.demo.token}`);
    console.log(`Try it: curl -H "Authorization: Bearer ${runtime.demo.token}" ${runtime.publicUrl}/api/v1/tasks`);
  }
}

main().catch(exitOnStartupError);
