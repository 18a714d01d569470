import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { generateFernetKey } from '@reelpost/api';
import { useTestDatabase } from '@reelpost/db/testing';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import type { Telemetry } from '../src/observability/telemetry.js';
import { type Runtime, startRuntime } from '../src/runtime.js';
import { UNREACHED_RATE_LIMITS } from './unreached-limits.js';

/**
 * The whole server for a test file, built the way main.ts builds it — demo mode unless the env says otherwise —
 * on the file's own database, with its own keys; requests go through `runtime.app.request()`.
 */
export function useRuntime(env: Record<string, string> = {}, options: { telemetry?: Telemetry } = {}): () => Runtime {
  const database = useTestDatabase();
  let runtime: Runtime | undefined;
  let server: Server | undefined;
  beforeAll(async () => {
    const fullEnv = {
      DATABASE_URL: database().url,
      PORT: '0',
      LOG_LEVEL: 'silent',
      WORKER: 'off',
      ENCRYPTION_KEY: generateFernetKey(),
      DEMO_JWT_SECRET: 'test-demo-secret-that-is-long-enough-0123456789',
      // Demo mode against the file's DATABASE_URL is asked for by name (a TikTok app in env means production).
      ...(env.TIKTOK_CLIENT_KEY ? {} : { REELPOST_DEMO: '1' }),
      // Rate limits on, above anything a test sends (apps/server/test/security/rate-limits.test.ts tests them).
      ...UNREACHED_RATE_LIMITS,
      ...env,
    };
    runtime = await startRuntime({ config: loadConfig(fullEnv), logger: createLogger({ level: 'silent' }), role: 'server', telemetry: options.telemetry });
    // Listening for real: TikTok (the emulator) pulls the demo video from us and delivers webhooks to us.
    server = serve({ fetch: runtime.app.fetch, port: runtime.port, hostname: '127.0.0.1' }) as Server;
    await new Promise((resolve) => server!.once('listening', resolve));
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    // The database belongs to useTestDatabase; the runtime's pool is its own.
    await runtime?.shutdown();
  });
  return () => {
    if (!runtime) throw new Error('useRuntime(): only available inside tests and hooks');
    return runtime;
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
