import type { Database } from '@reelpost/db';
import type { Kysely } from 'kysely';

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
}
