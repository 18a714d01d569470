import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateFernetKey } from '@reelpost/api';
import { findFreePort, findProjectRoot } from '@reelpost/db';

const root = findProjectRoot(fileURLToPath(import.meta.url));
export const SERVER_ENTRY = fileURLToPath(new URL('../dist/main.js', import.meta.url));
export const WORKER_ENTRY = fileURLToPath(new URL('../dist/worker.js', import.meta.url));
const EMULATOR_ENTRY = `${root}/packages/tiktok-emulator/src/cli.ts`;

export interface Child {
  process: ChildProcess;
  output: () => string;
  /** Resolves with the first output line matching, or rejects when the process exits first. */
  line: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function start(command: string, args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters: (() => void)[] = [];
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const wake of waiters.splice(0)) wake();
      resolve({ code, signal });
    }),
  );
  const line = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const check = () => {
        const match = output.match(pattern);
        if (match) {
          clearTimeout(deadline);
          resolve(match);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(deadline);
          reject(new Error(`exited before printing ${pattern}:\n${output}`));
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { process: child, output: () => output, line, exited };
}

/** The built server (what `npm start` runs), as a child process. */
export function startServer(env: Record<string, string>): Child {
  return start(process.execPath, ['--enable-source-maps', SERVER_ENTRY], env);
}

/**
 * A demo-mode server's environment on `databaseUrl`. Build it once for servers that share the database: they then
 * share its encryption key and demo secret, so each reads the other's rows and accepts the other's demo token.
 */
export function demoServerEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    ENCRYPTION_KEY: generateFernetKey(),
    DEMO_JWT_SECRET: 'process-test-demo-secret-0123456789abcdef',
    REELPOST_DEMO: '1',
    ...extra,
  };
}

/**
 * The built server in demo mode, started and ready (on a free port unless `env` names one; pushed to `children` for
 * the cleanup): its address and the demo token it printed.
 */
export async function startDemoServer(env: Record<string, string>, children: Child[]): Promise<{ server: Child; url: string; token: string }> {
  const server = startServer({ PORT: String(await findFreePort()), ...env });
  children.push(server);
  const [, url] = await server.line(/Reelpost is running at (\S+)/);
  const [, token] = await server.line(/Demo token: (\S+)/);
  return { server, url: url!, token: token! };
}

/** The built worker (what `pnpm worker` runs: the background jobs only), as a child process. */
export function startWorker(env: Record<string, string>): Child {
  return start(process.execPath, ['--enable-source-maps', WORKER_ENTRY], env);
}

/**
 * The standalone TikTok emulator, as its own process, so it outlives a killed server. `configFile`: the emulator's
 * options as JSON (users, processing, webhooks, …).
 */
export async function startEmulatorProcess(options: { seed?: string; configFile?: string } = {}): Promise<{ child: Child; url: string }> {
  // A seed of its own: publish ids must not repeat those of another emulator that wrote to the same database.
  const seed = options.seed ?? `process-test-${process.pid}-${Date.now()}`;
  const config = options.configFile ? ['--config', options.configFile] : [];
  const child = start(process.execPath, ['--import', 'tsx', EMULATOR_ENTRY, '--json', '--seed', seed, ...config]);
  const [json] = await child.line(/\{"url".*\}/);
  return { child, url: (JSON.parse(json) as { url: string }).url };
}
