import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startRuntime } from './runtime.js';
import { exitOnStartupError, stopOnSignals } from './shutdown.js';

// `pnpm worker`: the background jobs only (scheduled posts, status polling, uploads, token refresh, sweeps), for
// deployments that run servers with WORKER=off and scale workers apart on the same Postgres.
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  const runtime = await startRuntime({ config, env: process.env, logger, role: 'worker' });
  console.log('Reelpost worker running');
  stopOnSignals(logger, runtime.shutdown);
}

main().catch(exitOnStartupError);
