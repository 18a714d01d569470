import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startRuntime } from './runtime.js';

// `pnpm worker`: the background jobs only (scheduled posts, status polling, uploads, token refresh, sweeps), for
// deployments that run servers with WORKER=off and scale workers apart on the same Postgres.
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  const runtime = await startRuntime({ config, env: process.env, logger, role: 'worker' });
  console.log('Reelpost worker running');
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ msg: 'worker shutting down', signal });
    void runtime.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ msg: 'shutdown failed', err: error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
