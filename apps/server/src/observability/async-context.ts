const FRAME_FLAG = '--experimental-async-context-frame';

export interface NodeRuntime {
  /** `process.versions.node` */
  version: string;
  /** The flags Node was started with: `process.execArgv` and the words of NODE_OPTIONS. */
  flags: readonly string[];
}

const thisNode = (): NodeRuntime => ({
  version: process.versions.node,
  flags: [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)],
});

/**
 * What an operator tracing on this Node should know, or nothing. AsyncLocalStorage carries the trace context; before
 * Node 24 it runs hooks on every promise (a detail read makes about a hundred), which is most of why tracing costs
 * more on Node 20 and 22 than on 24 (docs/benchmarks.md, "Tracing's cost"). Node 22.7+ has Node 24's implementation
 * behind a flag, experimental there, so it is advised rather than turned on.
 */
export function asyncContextAdvice({ version, flags }: NodeRuntime = thisNode()): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major >= 24 || flags.includes(FRAME_FLAG)) return undefined;
  if (major === 22 && minor >= 7) {
    return (
      `Tracing on Node ${version}: AsyncLocalStorage, which carries the trace context, hooks every promise on this Node. ` +
      `Starting node with ${FRAME_FLAG} (NODE_OPTIONS) gives it Node 24's implementation, a third off tracing's cost in our ` +
      'benchmark; it is experimental on Node 22, so try it on a staging server first (docs/operations.md, "Traces").'
    );
  }
  return (
    `Tracing on Node ${version}: AsyncLocalStorage, which carries the trace context, hooks every promise on this Node; ` +
    'on Node 24 it does not, and tracing costs markedly less (docs/operations.md, "Traces").'
  );
}
