import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { listenInternally } from './observability/internal-port.js';
import { startTelemetry } from './observability/telemetry.js';
import { exitOnStartupError, stopOnSignals } from './shutdown.js';

// `pnpm worker`: the background jobs only (scheduled posts, status polling, uploads, token refresh, sweeps), for
// deployments that run servers with WORKER=off and scale workers apart on the same Postgres.
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  // Before the runtime is loaded: the pg instrumentation patches pg as it is first imported.
  const telemetry = startTelemetry({ config, role: 'worker' });
  const { startRuntime } = await import('./runtime.js');
  const runtime = await startRuntime({ config, logger, role: 'worker', telemetry });
  // A worker's only HTTP port: Prometheus and the supervisor's liveness probe (the job loop) read it.
  const ops = runtime.opsApp && config.METRICS_PORT !== undefined ? await listenInternally(runtime.opsApp, config.METRICS_PORT, config.METRICS_HOST) : null;
  stopOnSignals(logger, async () => {
    await runtime.shutdown();
    ops?.close();
    await telemetry.shutdown();
  });
  // After the handlers: whoever reads this line may stop the worker the moment it appears.
  console.log('Reelpost worker running');
}

main().catch(exitOnStartupError);
