import type { AppRouter } from '@reelpost/api';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import superjson from 'superjson';

export type ReelpostClient = TRPCClient<AppRouter>;

export interface ReelpostClientOptions {
  /** The server's base URL, e.g. `https://api.example.com` (the client adds `/trpc`). */
  url: string;
  /** A fixed bearer token, or… */
  token?: string;
  /** …a function returning a fresh one before each request (refreshing sessions). */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  fetch?: typeof globalThis.fetch;
  headers?: Record<string, string>;
}

export function createReelpostClient(options: ReelpostClientOptions): ReelpostClient {
  const endpoint = `${options.url.replace(/\/+$/, '')}/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: endpoint,
        transformer: superjson,
        ...(options.fetch && { fetch: options.fetch }),
        async headers() {
          const token = options.getToken ? await options.getToken() : options.token;
          return { ...options.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
        },
      }),
    ],
  });
}
