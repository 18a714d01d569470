import { join } from 'node:path';
import { type AppSettings, type AuthSettings, createVideoUrlPolicy, defaultSettings, encryptionKeyRing, type VideoUrlPolicy } from '@reelpost/api';
import { findProjectRoot } from '@reelpost/db';
import { type Config, ConfigError, isDemoMode } from './config.js';
import type { DemoSecrets } from './demo/secrets.js';
import { DEMO_MEDIA_PATH } from './routes/demo.js';

// The configuration turned into the typed settings the api package's builders take, demo mode's choices included.
// Kept apart from config.ts, which the entry points load before telemetry: this module loads the api and db packages.

/** Demo mode's own files: the embedded Postgres (`pg/`) and the generated secrets. */
export function dataDirOf(config: Pick<Config, 'DATA_DIR'>): string {
  return config.DATA_DIR ?? join(findProjectRoot(), '.data');
}

const hasEncryptionKeys = (config: Pick<Config, 'ENCRYPTION_KEYS' | 'ENCRYPTION_KEY'>) =>
  config.ENCRYPTION_KEYS.length > 0 || config.ENCRYPTION_KEY !== undefined;

/** Demo mode makes its own encryption key and token secret (demo/secrets.ts) unless both are configured. */
export function needsDemoSecrets(config: Config): boolean {
  return isDemoMode(config) && !(hasEncryptionKeys(config) && config.DEMO_JWT_SECRET !== undefined);
}

/** The key ring, newest first: the configured keys, else demo mode's own key. */
export function encryptionKeysOf(config: Pick<Config, 'ENCRYPTION_KEYS' | 'ENCRYPTION_KEY'>, demoSecrets?: DemoSecrets): string[] {
  if (!hasEncryptionKeys(config) && demoSecrets) return [demoSecrets.encryptionKey];
  return encryptionKeyRing({ keys: config.ENCRYPTION_KEYS, key: config.ENCRYPTION_KEY });
}

export function authSettingsOf(config: Config, demoSecrets?: DemoSecrets): AuthSettings {
  return {
    oidcIssuer: config.OIDC_ISSUER,
    oidcAudience: config.OIDC_AUDIENCE,
    oidcJwksUri: config.OIDC_JWKS_URI,
    supabaseJwtSecret: config.SUPABASE_JWT_SECRET,
    supabaseJwtAudience: config.SUPABASE_JWT_AUDIENCE,
    supabaseJwtIssuer: config.SUPABASE_JWT_ISSUER,
    supabaseUrl: config.SUPABASE_URL,
    serviceJwtSecret: config.SERVICE_JWT_SECRET,
    allowDemo: isDemoMode(config),
    demoJwtSecret: config.DEMO_JWT_SECRET ?? demoSecrets?.demoJwtSecret,
  };
}

/**
 * Which video URLs may go to TikTok. Demo mode serves its own sample video from this machine, and only that prefix
 * is allowed; otherwise VIDEO_URL_PREFIXES, or SUPABASE_URL's public storage (the seed's default).
 */
export function videoUrlPolicyOf(config: Config, serverUrl: string): VideoUrlPolicy {
  if (isDemoMode(config)) {
    return createVideoUrlPolicy({
      allowedPrefixes: [`${serverUrl}${DEMO_MEDIA_PATH}`],
      allowHttp: true,
      privateAddressAllowList: ['127.0.0.1', '::1'],
    });
  }
  const supabaseStorage = config.SUPABASE_URL && `${config.SUPABASE_URL.replace(/\/+$/, '')}/storage/v1/object/public/`;
  try {
    return createVideoUrlPolicy({
      allowedPrefixes: config.VIDEO_URL_PREFIXES ?? (supabaseStorage ? [supabaseStorage] : []),
      allowHttp: config.VIDEO_URL_ALLOW_HTTP,
      allowPrivateAddresses: config.VIDEO_URL_ALLOW_PRIVATE_ADDRESSES,
      privateAddressAllowList: config.VIDEO_URL_PRIVATE_ALLOW_LIST,
      maxBytes: config.VIDEO_MAX_BYTES,
      timeoutMs: config.VIDEO_URL_TIMEOUT_MS,
      readTimeoutMs: config.VIDEO_READ_TIMEOUT_MS,
      maxRedirects: config.VIDEO_URL_MAX_REDIRECTS,
    });
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  VIDEO_URL_PREFIXES: ${(error as Error).message}`);
  }
}

/** The posting clocks (their defaults are TikTok-sized). */
export function postingClocksOf(config: Config): Partial<AppSettings['posting']> {
  return {
    pollInitialMs: config.POSTING_POLL_INITIAL_MS,
    pollMaxMs: config.POSTING_POLL_MAX_MS,
    inboxPollMaxMs: config.POSTING_INBOX_POLL_MAX_MS,
    inboxWatchMs: config.POSTING_INBOX_WATCH_MS,
    processingDeadlineMs: config.POSTING_PROCESSING_DEADLINE_MS,
    leaseMs: config.POSTING_LEASE_MS,
    orphanedReservationMs: config.POSTING_ORPHAN_GRACE_MS,
    sweepIntervalMs: config.POSTING_SWEEP_INTERVAL_MS,
  };
}

/** The API's settings: TikTok's defaults, with what the configuration sets. */
export function appSettingsOf(config: Config, video: VideoUrlPolicy): AppSettings {
  const defaults = defaultSettings(video);
  return {
    ...defaults,
    tiktok: {
      ...defaults.tiktok,
      sandboxMode: config.TIKTOK_SANDBOX_MODE,
      rateLimitWindowMs: config.TIKTOK_RATE_LIMIT_WINDOW_MS,
      pendingConnectsPerUser: config.TIKTOK_PENDING_CONNECTS_PER_USER,
    },
    posting: { ...defaults.posting, ...postingClocksOf(config) },
  };
}
