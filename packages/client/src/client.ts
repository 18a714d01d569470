import { createTRPCClient, httpBatchLink, type TRPCClient, type TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import superjson from 'superjson';
import type { ReelpostRouter } from './contract.generated.js';

/** The typed client: `client.tasks.detail.query({ taskId })`, `client.tiktok.post.mutate({ … })`, … */
export type ReelpostClient = TRPCClient<ReelpostRouter>;

/** Every procedure's input, by path: `ReelpostInputs['tasks']['list']`. */
export type ReelpostInputs = inferRouterInputs<ReelpostRouter>;
/** Every procedure's output, by path: `ReelpostOutputs['tiktok']['accounts']`. */
export type ReelpostOutputs = inferRouterOutputs<ReelpostRouter>;

/** What a failed call rejects with; `readReelpostError` reads it. */
export type ReelpostClientError = TRPCClientError<ReelpostRouter>;

type MaybePromise<T> = T | Promise<T>;

interface ReelpostClientBaseOptions {
  /**
   * The server's base URL, e.g. `https://api.example.com` or `http://localhost:3001`; the client calls `<url>/trpc`
   * (a URL that already ends in `/trpc` is used as it is).
   */
  url: string;
  /** Your own `fetch` (tests, server-side rendering, a fetch with retries); the global one by default. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Headers for every request: fixed, or a function called before each request. */
  headers?: Record<string, string> | (() => MaybePromise<Record<string, string>>) | undefined;
}

/** Sign in with a fixed bearer token, or a function returning a fresh one before each request; or neither. */
type ReelpostClientAuth =
  | { token?: string | null | undefined; getToken?: undefined }
  | { getToken: () => MaybePromise<string | null | undefined>; token?: undefined };

export type ReelpostClientOptions = ReelpostClientBaseOptions & ReelpostClientAuth;

function trpcEndpoint(url: string): string {
  const base = url.replace(/\/+$/, '');
  return base.endsWith('/trpc') ? base : `${base}/trpc`;
}

/**
 * A typed client of the Reelpost API over `/trpc`: calls made in the same tick go in one HTTP request, and dates
 * (and other values JSON has no type for) arrive as they left, through superjson.
 */
export function createReelpostClient(options: ReelpostClientOptions): ReelpostClient {
  return createTRPCClient<ReelpostRouter>({
    links: [
      httpBatchLink({
        url: trpcEndpoint(options.url),
        transformer: superjson,
        ...(options.fetch && { fetch: options.fetch }),
        async headers() {
          const headers = typeof options.headers === 'function' ? await options.headers() : options.headers;
          const token = options.getToken ? await options.getToken() : options.token;
          return { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
        },
      }),
    ],
  });
}
