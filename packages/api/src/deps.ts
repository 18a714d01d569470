import type { Database } from '@reelpost/db';
import type { TikTokClient } from '@reelpost/tiktok';
import type { Kysely } from 'kysely';
import type { TokenCodec } from './crypto/token-codec.js';
import type { RequestLimiter } from './limits.js';
import type { PostEventHub } from './live/hub.js';
import type { AppSettings } from './settings.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * What procedures and services run against. Passed in, never imported as singletons, so tests hand in a fresh
 * database, the TikTok emulator and a fake clock.
 */
export interface AppDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** TikTok's API, or the emulator: the same client either way. */
  tiktok: TikTokClient;
  /** Seals TikTok tokens (and OAuth verifiers) at rest. */
  tokens: TokenCodec;
  settings: AppSettings;
  /** Request rate limits per user and address (the server's, shared through Postgres); none: unlimited (tests). */
  limiter?: RequestLimiter | undefined;
  /** The process's live status streams (issue 20), fed by its LISTEN connection; absent where none are served. */
  postEvents?: PostEventHub | undefined;
}
