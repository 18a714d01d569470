import { serve } from '@hono/node-server';
import { systemClock } from '@reelpost/api';
import { openDatabase } from '@reelpost/db';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, applicationName: 'reelpost-server' });
  const publicUrl = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
  const app = createApp({
    db: database.db,
    logger,
    publicUrl,
    createContext: ({ requestId }) => Promise.resolve({ db: database.db, clock: systemClock, session: null, requestId }),
  });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    logger.info({ msg: 'listening', url: `http://localhost:${info.port}` });
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ msg: 'shutting down', signal });
    server.close(() => {
      void database.shutdown().then(() => process.exit(0));
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // Start-up errors are written to be read: one line (or one per config problem), no stack.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
