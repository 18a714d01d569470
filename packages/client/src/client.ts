import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient, type TRPCClientError } from '@trpc/client';
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
  /** At most this many calls per request; set it to the server's MAX_BATCH_ITEMS when that is lower than 20. */
  maxBatchItems?: number | undefined;
  /**
   * The EventSource live status streams (`tiktok.watch`, `watchPost`) use: the global one by default (browsers,
   * Deno, Bun). Node has none: pass one (e.g. the `eventsource` package's), or `waitForPublish` polls instead.
   */
  EventSource?: typeof globalThis.EventSource | undefined;
}

/** Sign in with a fixed bearer token, or a function returning a fresh one before each request; or neither. */
type ReelpostClientAuth =
  | { token?: string | null | undefined; getToken?: undefined }
  | { getToken: () => MaybePromise<string | null | undefined>; token?: undefined };

export type ReelpostClientOptions = ReelpostClientBaseOptions & ReelpostClientAuth;

/**
 * The most calls sent in one request: the server's default batch cap (MAX_BATCH_ITEMS); more calls in the same tick
 * go in further requests.
 */
export const DEFAULT_MAX_BATCH_ITEMS = 20;

function trpcEndpoint(url: string): string {
  const base = url.replace(/\/+$/, '');
  return base.endsWith('/trpc') ? base : `${base}/trpc`;
}

/**
 * A typed client of the Reelpost API over `/trpc`: calls made in the same tick go in one HTTP request, subscriptions
 * (`tiktok.watch`) are server-sent event streams, and dates (and other values JSON has no type for) arrive as they
 * left, through superjson.
 */
export function createReelpostClient(options: ReelpostClientOptions): ReelpostClient {
  const url = trpcEndpoint(options.url);
  const token = async () => (options.getToken ? await options.getToken() : options.token);
  return createTRPCClient<ReelpostRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        // Server-sent events: an EventSource cannot send headers, so the token travels as a connection param (asked
        // for again on each reconnect, so a refreshed token is used); the server reads it like `Authorization`.
        true: httpSubscriptionLink({
          url,
          transformer: superjson,
          ...(options.EventSource && { EventSource: options.EventSource }),
          async connectionParams() {
            const current = await token();
            return current ? { token: current } : {};
          },
        }),
        false: httpBatchLink({
          url,
          transformer: superjson,
          maxItems: options.maxBatchItems ?? DEFAULT_MAX_BATCH_ITEMS,
          ...(options.fetch && { fetch: options.fetch }),
          async headers() {
            const headers = typeof options.headers === 'function' ? await options.headers() : options.headers;
            const current = await token();
            return { ...headers, ...(current ? { authorization: `Bearer ${current}` } : {}) };
          },
        }),
      }),
    ],
  });
}
