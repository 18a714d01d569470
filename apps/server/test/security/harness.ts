import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { generateFernetKey } from '@reelpost/api';
import { useTestDatabase } from '@reelpost/db/testing';
import { connectTikTokEmulator, type TikTokEmulatorControls } from '@reelpost/tiktok-emulator';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type Runtime, startRuntime } from '../../src/runtime.js';
import { UNREACHED_RATE_LIMITS } from '../unreached-limits.js';

// The security suites' server: the whole runtime, built as main.ts builds it from an environment, listening for real
// (TikTok's emulator pulls videos from it and delivers webhooks to it), with every log line kept in memory and every
// response it sends kept as text, so a suite can scan both for secrets, stacks and SQL.

export interface SecurityServer {
  runtime: Runtime;
  /** The environment the runtime was built from (secrets included: the secrets suite scans for them). */
  env: Readonly<Record<string, string>>;
  /** Every log line the server wrote, as pino wrote it (JSON). */
  logs: string[];
  /** Every response the server sent so far — in-process and over its socket — with the request it answered. */
  responses: () => Promise<RecordedResponse[]>;
  /** A request handled in-process, recorded like the ones that come over the socket. */
  request: (path: string, init?: RequestInit) => Promise<Response>;
  /** The TikTok emulator the runtime talks to (demo mode: its in-process one, through the admin API). */
  tiktok: TikTokEmulatorControls;
}

export interface RecordedResponse {
  /** `POST /dev/token` */
  request: string;
  status: number;
  /** Status line, headers and body (binary bodies left out). */
  text: string;
}

export interface SecurityServerOptions {
  /** Variables on top of the defaults, read inside beforeAll (so they may use hooks registered earlier). */
  env?: () => Record<string, string>;
  /** The emulator to drive when the runtime is not in demo mode (it then talks to TIKTOK_API_BASE_URL). */
  tiktok?: () => TikTokEmulatorControls;
  /** Called once the runtime listens, before any test (e.g. to register its callback with the emulator). */
  ready?: (server: SecurityServer) => Promise<void>;
}

const BINARY_TYPES = /^(video|audio|image)\//;

export function useSecurityServer(options: SecurityServerOptions = {}): () => SecurityServer {
  const database = useTestDatabase();
  let server: SecurityServer | undefined;
  let listener: Server | undefined;
  beforeAll(async () => {
    const extra = options.env?.() ?? {};
    const env: Record<string, string> = {
      DATABASE_URL: database().url,
      PORT: '0',
      LOG_LEVEL: 'trace',
      WORKER: 'off',
      ENCRYPTION_KEY: generateFernetKey(),
      DEMO_JWT_SECRET: randomBytes(32).toString('base64url'),
      // Demo mode against the file's DATABASE_URL is asked for by name (a TikTok app in env means production).
      ...(extra.TIKTOK_CLIENT_KEY ? {} : { REELPOST_DEMO: '1' }),
      // The suites send thousands of requests as one user: the limits stay on (counted), far above what they send.
      // rate-limits.test.ts sets its own.
      ...UNREACHED_RATE_LIMITS,
      ...extra,
    };
    const logs: string[] = [];
    const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void logs.push(line) } });
    const runtime = await startRuntime({ config: loadConfig(env), logger, role: 'server' });

    const recorded: Promise<RecordedResponse>[] = [];
    const record = (request: Request, response: Response): Response => {
      const url = new URL(request.url);
      const what = { request: `${request.method} ${url.pathname}`, status: response.status };
      const head = `${response.status}\n${[...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n')}`;
      const type = response.headers.get('content-type') ?? '';
      recorded.push(
        response.body === null || BINARY_TYPES.test(type)
          ? Promise.resolve({ ...what, text: head })
          : response
              .clone()
              .text()
              .then((body) => ({ ...what, text: `${head}\n\n${body}` })),
      );
      return response;
    };
    const handle = async (request: Request, env?: unknown) => record(request, await runtime.app.fetch(request, env));
    listener = serve({ fetch: handle, port: runtime.port, hostname: '127.0.0.1' }) as Server;
    await new Promise((resolve) => listener!.once('listening', resolve));

    const tiktok = options.tiktok?.() ?? (runtime.demo ? connectTikTokEmulator(runtime.demo.tiktokUrl) : undefined);
    if (!tiktok) throw new Error('useSecurityServer(): outside demo mode, pass the emulator the runtime talks to');
    server = {
      runtime,
      env,
      logs,
      responses: () => Promise.all(recorded),
      request: (path, init) => handle(new Request(new URL(path, 'http://localhost'), init)),
      tiktok,
    };
    await options.ready?.(server);
  });
  afterAll(async () => {
    listener?.closeAllConnections();
    await new Promise((resolve) => (listener ? listener.close(resolve) : resolve(undefined)));
    await server?.runtime.shutdown();
  });
  return () => {
    if (!server) throw new Error('useSecurityServer(): only available inside tests and hooks');
    return server;
  };
}

/** A demo-mode bearer token for this email (a new email gets a user and an empty instance). */
export async function demoSignIn(server: SecurityServer, email: string): Promise<{ token: string; userId: string }> {
  const response = await server.request('/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  if (response.status !== 200) throw new Error(`POST /dev/token answered ${response.status}`);
  return (await response.json()) as { token: string; userId: string };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
