import type { Logger } from './logger.js';

/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then exits 0 (1 when stopping failed). Later signals are
 * ignored: a second Ctrl-C must not cut a graceful shutdown short.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ msg: 'shutting down', signal });
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ msg: 'shutdown failed', err: error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

/** The entry points' last resort: start-up errors are written to be read — one line (or one per problem), no stack. */
export function exitOnStartupError(error: unknown): never {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
