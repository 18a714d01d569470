import type { AppRouter, Context as ApiContext } from '@reelpost/api';
import type { AnyTRPCProcedure } from '@trpc/server';
import {
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  transformTRPCResponse,
  TRPCError,
} from '@trpc/server/unstable-core-do-not-import';
import type { Context } from 'hono';
import type { AppEnv, ContextRequest } from './app.js';
import { SECURE_HEADERS, markSecured } from './secure-headers.js';

// The reads @reelpost/client makes — GET /trpc/a,b?batch=1&input=… of query procedures — answered without tRPC's
// fetch adapter. That adapter is written for every kind of call (streams, subscriptions, form data, method
// override) and builds for each request what a plain batch of queries never uses: two URL parses, two Headers, an
// AbortController and combined abort signals per call, and a fetch Response the node adapter then takes apart again
// (docs/benchmarks.md, issue 23). Here each procedure is called exactly as the adapter calls it — the same
// middlewares (auth, rate limits, input and output validation), the same context — and the answer is written in the
// adapter's exact format (tRPC's own error shape, status and transformer). Anything else goes to the adapter.
// It uses tRPC's unstable-core exports, which may change in a minor release: @trpc/server is pinned to patch
// releases (~) in this package and in @reelpost/api, and surfaces.test.ts holds both paths to one contract.

export type ErrorHandler = (options: { error: TRPCError; path?: string | undefined }) => void;

export interface TrpcQueryOptions {
  router: AppRouter;
  createContext: (request: ContextRequest) => Promise<ApiContext>;
  onError: ErrorHandler;
  /** Headers a refusal adds (Retry-After for a rate limit): shared with the adapter's responseMeta. */
  errorHeaders: (errors: readonly TRPCError[]) => Record<string, string>;
}

type CallResult = [error: TRPCError, data: undefined] | [error: undefined, data: unknown];

const PREFIX = '/trpc/';

/** A query procedure for each path of the batch, or null when any is not one (the adapter then answers). */
function queriesOf(procedures: Record<string, AnyTRPCProcedure | undefined>, paths: readonly string[]): AnyTRPCProcedure[] | null {
  const found: AnyTRPCProcedure[] = [];
  for (const path of paths) {
    const procedure = Object.hasOwn(procedures, path) ? procedures[path] : undefined;
    if (procedure?._def.type !== 'query') return null;
    found.push(procedure);
  }
  return found;
}

/**
 * Answers the request when it is a plain batch of queries, else returns null (synchronously: nothing is read or
 * started before the decision).
 */
export function createTrpcQueryHandler(options: TrpcQueryOptions): (c: Context<AppEnv>) => Promise<Response> | null {
  const { router, onError } = options;
  const config = router._def._config;
  // At run time tRPC keeps every procedure by its full dotted path here (its type describes the nested record).
  const procedures = router._def.procedures as unknown as Record<string, AnyTRPCProcedure | undefined>;

  return (c) => {
    const raw = c.req.raw;
    if (raw.method !== 'GET' || c.req.query('batch') !== '1') return null;
    const path = c.req.path;
    // Encoded or nested paths, streams (jsonl), connection params and content types are the adapter's to read.
    if (!path.startsWith(PREFIX) || path.includes('%') || path.includes('/', PREFIX.length)) return null;
    const headers = raw.headers;
    if (headers.has('trpc-accept') || headers.has('content-type') || headers.get('accept')?.includes('application/jsonl')) return null;
    if (c.req.query('connectionParams') !== undefined) return null;
    const paths = path.slice(PREFIX.length).split(',');
    const calls = queriesOf(procedures, paths);
    if (!calls) return null;
    return answer(c, paths, calls);
  };

  async function answer(c: Context<AppEnv>, paths: string[], calls: AnyTRPCProcedure[]): Promise<Response> {
    const inputs = readInputs(c.req.query('input'), paths.length);
    let ctx: ApiContext | undefined;
    let contextError: TRPCError | undefined;
    try {
      ctx = await options.createContext({ req: c.req.raw, requestId: c.get('requestId'), clientIp: c.get('clientIp'), connectionParams: null });
    } catch (cause) {
      contextError = getTRPCErrorFromUnknown(cause);
    }
    const results = await Promise.all(
      calls.map(async (procedure, index): Promise<CallResult> => {
        const path = paths[index]!;
        try {
          if (contextError) throw contextError;
          const data: unknown = await procedure({
            path,
            getRawInput: () => (inputs instanceof TRPCError ? Promise.reject(inputs) : Promise.resolve(inputs[index])),
            ctx,
            type: 'query',
            signal: undefined,
            batchIndex: index,
          });
          return [undefined, data];
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          onError({ error, path });
          return [error, undefined];
        }
      }),
    );
    const errors = results.flatMap(([error]) => (error ? [error] : []));
    const untransformed = results.map(([error, data], index) =>
      error
        ? {
            error: getErrorShape({
              config,
              ctx,
              error,
              input: inputs instanceof TRPCError ? undefined : inputs[index],
              path: paths[index],
              type: 'query',
            }),
          }
        : { result: { data } },
    );
    const status = getHTTPStatusCode(untransformed, results.map(([error]) => error));
    const response = new Response(JSON.stringify(transformTRPCResponse(config, untransformed)), {
      status,
      headers: {
        'content-type': 'application/json',
        vary: 'trpc-accept, accept',
        ...(errors.length > 0 && options.errorHeaders(errors)),
        ...SECURE_HEADERS,
      },
    });
    return markSecured(response);
  }

  /** Each call's input, as the adapter reads it: JSON, an object by batch index, each item through the transformer. */
  function readInputs(text: string | undefined, count: number): unknown[] | TRPCError {
    try {
      if (!text) return [];
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return new TRPCError({ code: 'BAD_REQUEST', message: '"input" needs to be an object when doing a batch call' });
      }
      const byIndex = parsed as Record<string, unknown>;
      return Array.from({ length: count }, (_, index): unknown => {
        const input = byIndex[index];
        return input === undefined ? undefined : (config.transformer.input.deserialize(input) as unknown);
      });
    } catch (cause) {
      return new TRPCError({ code: 'BAD_REQUEST', message: cause instanceof Error ? cause.message : 'Invalid input', cause });
    }
  }
}
