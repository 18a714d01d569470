import { type AppDeps, appRouter, createContextFactory, createDemoAuth } from '@reelpost/api';
import { testDeps, useEmulator } from '@reelpost/api/testing';
import { useTestDatabase } from '@reelpost/db/testing';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createReelpostClient, type ReelpostClientOptions } from '../src/index.js';

// The real API in-process for the client's tests: the app router behind tRPC's fetch adapter (as the server mounts
// it), the test file's own database, the TikTok emulator, and real bearer tokens (demo mode's signed JWTs). The
// client reaches it through its `fetch` option, so every call crosses HTTP: batching, headers, superjson and the
// error formatter's JSON.

const DEMO_SECRET = 'client-tests-demo-secret-0123456789abcdef';
export const API_URL = 'http://api.test';

export interface SeenRequest {
  url: string;
  method: string;
  authorization: string | null;
  headers: Headers;
}

/** The API over the given dependencies, with a `fetch` that serves it and a way to sign people in. */
export function inProcessApi(deps: AppDeps) {
  const demo = createDemoAuth({ db: deps.db, clock: deps.clock, secret: DEMO_SECRET });
  const createContext = createContextFactory({ ...deps, authenticator: demo.authenticator });
  const requests: SeenRequest[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push({
      url: request.url,
      method: request.method,
      authorization: request.headers.get('authorization'),
      headers: request.headers,
    });
    return fetchRequestHandler({
      endpoint: '/trpc',
      req: request,
      router: appRouter,
      // As the server does: a stream's token may come as a connection param (an EventSource sends no headers).
      createContext: ({ req, info }) => {
        const paramsToken = info.connectionParams?.token;
        return createContext({ headers: req.headers, authorization: req.headers.get('authorization') ?? (paramsToken ? `Bearer ${paramsToken}` : null) });
      },
    });
  };

  /** A token for the user with this email (created with an empty instance if new), and their first instance. */
  async function signIn(email: string) {
    const { token, userId } = await demo.issueDemoToken({ email });
    const instance = await deps.db.selectFrom('instances').select('id').where('owner_id', '=', userId).orderBy('created_at').executeTakeFirstOrThrow();
    return { token, userId, instanceId: instance.id };
  }

  function client(options: Partial<ReelpostClientOptions> = {}) {
    return createReelpostClient({ url: API_URL, fetch, ...options });
  }

  return { deps, fetch, requests, signIn, client };
}

/** For a test file's top level: its own database and emulator, and the API over them for each test. */
export function useInProcessApi() {
  const database = useTestDatabase();
  const emulator = useEmulator();
  return () => {
    const api = inProcessApi(testDeps(database().db, { emulator: emulator() }));
    return { ...api, emulator: emulator() };
  };
}
