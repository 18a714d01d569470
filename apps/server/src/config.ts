import type { AppSettings } from '@reelpost/api';
import { z } from 'zod';

const flag = z
  .enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => ['true', '1', 'on', 'yes'].includes(value));

const url = (what: string) => z.url({ message: `must be a URL (${what})` });

/**
 * Environment variables, validated once at start-up; every problem is reported, one line each. The TikTok, auth,
 * encryption and video-URL settings are checked again, in depth, by the api package's own builders.
 */
export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3001),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Where browsers and TikTok reach this server; http://localhost:PORT by default. */
  PUBLIC_URL: url('where this server is reached').optional(),
  /** Where the frontend lives, for the page people land on after connecting TikTok; PUBLIC_URL by default. */
  APP_URL: url('the frontend').optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** `false` behind a pooler in transaction mode that cannot carry named prepared statements. */
  DATABASE_PREPARED_STATEMENTS: flag.default(true),
  /** Demo mode's own files (embedded Postgres in `pg/`, generated secrets); `<project>/.data` by default. */
  DATA_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `off`: this process serves requests only and a separate `pnpm worker` runs the background jobs. */
  WORKER: z.enum(['on', 'off']).default('on'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),

  TIKTOK_CLIENT_KEY: z.string().min(1).optional(),
  TIKTOK_CLIENT_SECRET: z.string().min(1).optional(),
  TIKTOK_REDIRECT_URI: url('registered with TikTok, character for character').optional(),
  TIKTOK_SANDBOX_MODE: flag.default(false),
  TIKTOK_API_BASE_URL: url('TikTok’s API host').default('https://open.tiktokapis.com'),
  TIKTOK_AUTH_BASE_URL: url('TikTok’s authorize page host').default('https://www.tiktok.com'),
  /** One TikTok request's time limit; an init that runs out is an unknown outcome, never re-sent. */
  TIKTOK_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(30_000),

  // The posting clocks. The defaults suit TikTok; the fault suite shortens them so a run ends in minutes.
  /** First status poll after an init; later ones wait a quarter of the time since, up to POSTING_POLL_MAX_MS. */
  POSTING_POLL_INITIAL_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  POSTING_POLL_MAX_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
  /** A post TikTok has not finished processing by then ends FAILED (processing_timeout); TikTok's later news still applies. */
  POSTING_PROCESSING_DEADLINE_MS: z.coerce.number().int().min(10_000).max(7 * 24 * 3_600_000).default(2 * 3_600_000),
  /** A worker's claim on a post it is sending; after it, a sweep may take over (or record the outcome as unknown). */
  POSTING_LEASE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
  /** How long lost work (a reservation, a due scheduled post, a missed poll) waits before a sweep rescues it. */
  POSTING_ORPHAN_GRACE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  /** How often the sweep runs (at most every minute: graphile-worker's cron is the backstop). */
  POSTING_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1_000).max(60_000).default(60_000),
  /**
   * TikTok's per-token rate-limit window (one minute). Load tests against the emulator shorten it, the emulator's
   * together with ours (the client's limiter and the shared call budget); never shorten it against the real TikTok.
   */
  TIKTOK_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1_000).max(60_000).default(60_000),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as shells and .env files often leave them.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const config = parsed.data;
  if (config.TIKTOK_CLIENT_KEY && !config.TIKTOK_CLIENT_SECRET) {
    throw new ConfigError('Invalid configuration:\n  TIKTOK_CLIENT_SECRET: required with TIKTOK_CLIENT_KEY');
  }
  return config;
}

/**
 * Demo mode: no TikTok app configured. Everything runs on this machine — the embedded Postgres (unless
 * DATABASE_URL), the TikTok emulator, demo sign-in — with seeded data to try the whole flow.
 */
export function isDemoMode(config: Config): boolean {
  return config.TIKTOK_CLIENT_KEY === undefined;
}

export function publicUrlOf(config: Config, port = config.PORT): string {
  return (config.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
}

/** The posting clocks from the environment (their defaults are TikTok-sized). */
export function postingClocksOf(config: Config): Partial<AppSettings['posting']> {
  return {
    pollInitialMs: config.POSTING_POLL_INITIAL_MS,
    pollMaxMs: config.POSTING_POLL_MAX_MS,
    processingDeadlineMs: config.POSTING_PROCESSING_DEADLINE_MS,
    leaseMs: config.POSTING_LEASE_MS,
    orphanedReservationMs: config.POSTING_ORPHAN_GRACE_MS,
    sweepIntervalMs: config.POSTING_SWEEP_INTERVAL_MS,
  };
}
