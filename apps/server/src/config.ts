import { z } from 'zod';

// The one reader of the environment: every variable the server, the worker and the operator commands (cli/) read is
// here, parsed once, so a boolean, a number or a list means the same thing wherever it is used.

const flag = z
  .enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => ['true', '1', 'on', 'yes'].includes(value));

/** Text as shells and .env files leave it: surrounding spaces dropped, blank meaning unset. */
const text = z
  .string()
  .trim()
  .transform((value) => value || undefined);

/** A comma-separated list: entries trimmed, empty ones dropped. */
const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

/** TikTok's own API host: what TIKTOK_API_BASE_URL is unless the server is pointed at an emulator. */
const TIKTOK_API_HOST = 'https://open.tiktokapis.com';

const url = (what: string) => z.url({ message: `must be a URL (${what})` });

/** The OTLP encodings this server can export (OTLP over gRPC would need another exporter and HTTP/2). */
const otlpProtocol = z.enum(['http/protobuf', 'http/json'], { message: 'must be http/protobuf or http/json (grpc is not supported)' });

/** OpenTelemetry's standard samplers that the SDK itself has (jaeger_remote and xray need packages we do not ship). */
const TRACES_SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
const tracesSampler = z.enum(TRACES_SAMPLERS, { message: `must be one of ${TRACES_SAMPLERS.join(', ')}` });

/**
 * Environment variables, validated once at start-up; every problem is reported, one line each. The TikTok, auth,
 * encryption and video-URL settings are checked again, in depth, by the api package's own builders, which receive
 * them typed (settings-of-config.ts).
 */
export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3001),
  /** The interface to listen on: 127.0.0.1 in demo mode (one machine), 0.0.0.0 otherwise (listenHostOf). */
  HOST: z.string().min(1).optional(),
  /**
   * Demo mode asked for by name. Unset: demo mode only when nothing production-like is configured (no TikTok app, no
   * DATABASE_URL), so `npm start` on a fresh clone is the demo; a demo against DATABASE_URL must say REELPOST_DEMO=1.
   * `0`: never demo mode.
   */
  REELPOST_DEMO: flag.optional(),
  /** Where browsers and TikTok reach this server; http://localhost:PORT by default. */
  PUBLIC_URL: url('where this server is reached').optional(),
  /** Where the frontend lives, for the page people land on after connecting TikTok; PUBLIC_URL by default. */
  APP_URL: url('the frontend').optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** The most calls one tRPC batch may name; @reelpost/client batches at most 20 (its maxItems). */
  MAX_BATCH_ITEMS: z.coerce.number().int().min(1).max(1_000).default(20),
  // Request rate limits (docs/operations.md, "Security model"): calls per window, per signed-in user and per client
  // address, counted in Postgres for every process together; over a limit: 429 RATE_LIMITED with Retry-After.
  /** `off` only where a gateway in front already limits every caller: each process then counts nothing. */
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
  RATE_LIMIT_READS: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_READS_PER_IP: z.coerce.number().int().min(1).default(1_800),
  RATE_LIMIT_POSTS: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_POSTS_PER_IP: z.coerce.number().int().min(1).default(60),
  RATE_LIMIT_CONNECTS: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_CONNECTS_PER_IP: z.coerce.number().int().min(1).default(30),
  /** `POST /dev/token` (demo mode), per address: nobody is signed in yet. */
  RATE_LIMIT_DEV_TOKEN_PER_IP: z.coerce.number().int().min(1).default(30),
  /** Proxies of your own in front of the server: the client's address is read that many entries from X-Forwarded-For's right. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  // Live status (tiktok.watch, GET /api/v1/tasks/{taskId}/post-events): open streams this process holds, per
  // signed-in user and in all; one more is refused with 429 TOO_MANY_STREAMS. Each stream costs a few kilobytes and a
  // socket (docs/api.md, "Live status").
  LIVE_STREAMS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(20),
  LIVE_STREAMS_TOTAL: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
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
  TIKTOK_API_BASE_URL: url('TikTok’s API host').default(TIKTOK_API_HOST),
  TIKTOK_AUTH_BASE_URL: url('TikTok’s authorize page host').default('https://www.tiktok.com'),
  /**
   * PKCE on the connect flow. `hex` (default): the code challenge is the lowercase hex SHA-256 of the verifier, as
   * TikTok's Login Kit documents it (not RFC 7636's base64url, which TikTok refuses). `off`: no PKCE at all, as
   * Postiz, Post for Me and the PHP SDK connect on the web flow — for the day TikTok's web flow proves to refuse it.
   */
  TIKTOK_PKCE: z.enum(['hex', 'off'], { message: 'must be hex or off' }).default('hex'),
  /** Connects one user may have started and not finished (each holds an OAuth state for 10 minutes); more are 429. */
  TIKTOK_PENDING_CONNECTS_PER_USER: z.coerce.number().int().min(1).max(1_000).default(5),
  /** One TikTok request's time limit; an init that runs out is an unknown outcome, never re-sent. */
  TIKTOK_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(30_000),

  // The posting clocks. The defaults suit TikTok; the fault suite shortens them so a run ends in minutes.
  /** First status poll after an init; later ones wait a quarter of the time since, up to POSTING_POLL_MAX_MS. */
  POSTING_POLL_INITIAL_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  POSTING_POLL_MAX_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
  /** A post TikTok has not finished processing by then ends FAILED (processing_timeout); TikTok's later news still applies. */
  POSTING_PROCESSING_DEADLINE_MS: z.coerce.number().int().min(10_000).max(7 * 24 * 3_600_000).default(2 * 3_600_000),
  /**
   * An inbox draft (SENT_TO_INBOX) waits on the creator; webhooks bring their post first. Its polls start at
   * POSTING_POLL_MAX_MS and stretch to this (6 h); after POSTING_INBOX_WATCH_MS (30 days) it is no longer polled.
   */
  POSTING_INBOX_POLL_MAX_MS: z.coerce.number().int().min(1_000).max(7 * 24 * 3_600_000).default(6 * 3_600_000),
  POSTING_INBOX_WATCH_MS: z.coerce.number().int().min(60_000).max(365 * 24 * 3_600_000).default(30 * 24 * 3_600_000),
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
  /** Demo mode only: an emulator running elsewhere (`pnpm --filter @reelpost/tiktok-emulator emulator`). */
  TIKTOK_EMULATOR_URL: url('a running TikTok emulator').optional(),

  // Sign-in (packages/api/src/auth/README.md): one identity provider outside demo mode, checked by createAuth.
  OIDC_ISSUER: text.optional(),
  OIDC_AUDIENCE: text.optional(),
  OIDC_JWKS_URI: text.optional(),
  SUPABASE_JWT_SECRET: text.optional(),
  SUPABASE_JWT_AUDIENCE: text.optional(),
  SUPABASE_JWT_ISSUER: text.optional(),
  /** The Supabase project: its `/auth/v1` is the tokens' issuer, its public storage the default video prefix. */
  SUPABASE_URL: text.optional(),
  SERVICE_JWT_SECRET: text.optional(),
  DEMO_JWT_SECRET: text.optional(),

  // The keys sealing TikTok tokens (packages/api/src/crypto/README.md): the key ring is checked by encryptionKeyRing.
  /** Newest first; the first seals, every one opens. */
  ENCRYPTION_KEYS: list.default([]),
  /** One key, as the existing backend and the seed set it; with ENCRYPTION_KEYS it must be one of them. */
  ENCRYPTION_KEY: text.optional(),

  // The video URL guard (packages/api/src/video/README.md); unset numbers keep the guard's defaults.
  /** Verified prefixes videos must be under; SUPABASE_URL's public storage by default. */
  VIDEO_URL_PREFIXES: list.optional(),
  /** http video URLs: for a TikTok emulator only. */
  VIDEO_URL_ALLOW_HTTP: flag.default(false),
  VIDEO_URL_ALLOW_PRIVATE_ADDRESSES: flag.default(false),
  /** Private addresses or CIDR ranges reachable with VIDEO_URL_ALLOW_PRIVATE_ADDRESSES off. */
  VIDEO_URL_PRIVATE_ALLOW_LIST: list.default([]),
  VIDEO_MAX_BYTES: z.coerce.number().int().positive().optional(),
  VIDEO_URL_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  VIDEO_READ_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  VIDEO_URL_MAX_REDIRECTS: z.coerce.number().int().min(0).max(10).optional(),

  // Observability (docs/operations.md, "Observability").
  /** Bearer token for GET /metrics on the public port; without it /metrics is served on METRICS_PORT only. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** An internal port for /metrics, /healthz (with the job loop) and /readyz; a worker's only HTTP port. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** OpenTelemetry's standard variables: traces are exported over OTLP/HTTP only when an endpoint is set. */
  OTEL_EXPORTER_OTLP_ENDPOINT: url('an OTLP/HTTP collector, e.g. http://collector:4318').optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url('the full OTLP/HTTP traces URL').optional(),
  /** OTLP/HTTP's encoding, the traces' own variable first; unset: `http/protobuf`, the specification's default. */
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('reelpost'),
  /**
   * Which traces are recorded, as OpenTelemetry names it. Unset, a parent-based ratio of OTEL_TRACES_SAMPLER_ARG: with
   * the argument unset too that is the specification's default (parentbased_always_on), and a deployment that set
   * only the argument keeps the share it asked for.
   */
  OTEL_TRACES_SAMPLER: tracesSampler.default('parentbased_traceidratio'),
  /** The ratio samplers' share of new traces (a parent-based one keeps whatever a caller decided). */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads the variables of `schema` (configSchema, or the part of it an operator command in cli/ needs:
 * `configSchema.pick(…)`), reporting every problem, one line each.
 */
export function loadVariables<Schema extends z.ZodType>(schema: Schema, env: NodeJS.ProcessEnv = process.env): z.infer<Schema> {
  // An empty variable means "not set", as shells and .env files often leave them.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

/** The server's (and the worker's) configuration: every variable, and the rules between them. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = loadVariables(configSchema, env);
  if (config.TIKTOK_CLIENT_KEY && !config.TIKTOK_CLIENT_SECRET) {
    throw new ConfigError('Invalid configuration:\n  TIKTOK_CLIENT_SECRET: required with TIKTOK_CLIENT_KEY');
  }
  if (config.REELPOST_DEMO === true && config.TIKTOK_CLIENT_KEY) {
    throw new ConfigError(
      'Invalid configuration:\n  REELPOST_DEMO: demo mode talks to the TikTok emulator, never to a real TikTok app; unset TIKTOK_CLIENT_KEY or REELPOST_DEMO',
    );
  }
  if (!isDemoMode(config) && !config.TIKTOK_CLIENT_KEY) {
    // Demo mode hands out tokens for the asking: it is never chosen just because the TikTok key is missing.
    throw new ConfigError(
      config.DATABASE_URL && config.REELPOST_DEMO === undefined
        ? 'Invalid configuration:\n  TIKTOK_CLIENT_KEY: required with DATABASE_URL (a production set-up); for a demo against that database set REELPOST_DEMO=1'
        : 'Invalid configuration:\n  TIKTOK_CLIENT_KEY: required outside demo mode (REELPOST_DEMO=0)',
    );
  }
  // TikTok pulls only https URLs (PULL_FROM_URL, "Corrections (2026-12-05)"): http is for the demo and emulators.
  if (config.VIDEO_URL_ALLOW_HTTP && !isDemoMode(config) && new URL(config.TIKTOK_API_BASE_URL).origin === TIKTOK_API_HOST) {
    throw new ConfigError(
      'Invalid configuration:\n  VIDEO_URL_ALLOW_HTTP: TikTok pulls only https video URLs; http is allowed only in demo mode or against an emulator (TIKTOK_API_BASE_URL)',
    );
  }
  return config;
}

/**
 * Demo mode: everything on this machine — the embedded Postgres (or DATABASE_URL, asked for with REELPOST_DEMO=1),
 * the TikTok emulator, sign-in by email at `POST /dev/token` — with seeded data to try the whole flow. Asked for by
 * name (REELPOST_DEMO=1), or chosen when nothing production-like is configured: no TikTok app and no DATABASE_URL.
 */
export function isDemoMode(config: Config): boolean {
  if (config.REELPOST_DEMO !== undefined) return config.REELPOST_DEMO;
  return config.TIKTOK_CLIENT_KEY === undefined && config.DATABASE_URL === undefined;
}

/** Demo mode serves one machine: loopback unless HOST says otherwise. A deployment listens on every interface. */
export function listenHostOf(config: Config): string {
  return config.HOST ?? (isDemoMode(config) ? '127.0.0.1' : '0.0.0.0');
}

/** Where this server is reached (PUBLIC_URL, or this machine's port), without a trailing slash. */
export function serverUrlOf(config: Config, port = config.PORT): string {
  return (config.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
}
