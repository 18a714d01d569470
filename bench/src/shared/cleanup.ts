// The benchmarks start a database and several processes; Ctrl-C (or a CI timeout's SIGTERM) must stop them all in
// order, not leave servers and a Postgres running. Steps run last-in first-out, once, whether the run ends or not.

export interface Cleanup {
  add: (step: () => Promise<void>) => void;
  run: () => Promise<void>;
}

export function createCleanup(): Cleanup {
  const steps: (() => Promise<void>)[] = [];
  let running: Promise<void> | undefined;
  const run = () =>
    (running ??= (async () => {
      for (const step of steps.splice(0).reverse()) {
        await step().catch((error: unknown) => console.error('cleanup step failed:', error));
      }
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the processes and the database`);
      void run().then(() => process.exit(130));
    });
  }
  return { add: (step) => steps.push(step), run };
}
