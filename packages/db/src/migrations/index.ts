import type { Migration } from 'kysely';
import * as initialSchema from './2026-11-27T0001-initial-schema.js';
import * as tiktokCallLog from './2026-11-27T0200-tiktok-call-log.js';
import * as postingLifecycle from './2026-11-27T0300-posting-lifecycle.js';
import * as tiktokCallBudgetFunction from './2026-11-27T0900-tiktok-call-budget-function.js';
import * as postTakenDown from './2026-12-05T0100-post-taken-down.js';
import * as requestRateLimits from './2026-12-06T0100-request-rate-limits.js';
import * as photoPosts from './2026-12-06T0200-photo-posts.js';
import * as postEvents from './2026-12-06T0300-post-events.js';

/**
 * Every migration, by its dated name. A static list (rather than reading the folder) keeps migrations inside the
 * server bundle; Kysely runs them in name order, so names must sort by date.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-27T0001-initial-schema': initialSchema,
  '2026-11-27T0200-tiktok-call-log': tiktokCallLog,
  '2026-11-27T0300-posting-lifecycle': postingLifecycle,
  '2026-11-27T0900-tiktok-call-budget-function': tiktokCallBudgetFunction,
  '2026-12-05T0100-post-taken-down': postTakenDown,
  '2026-12-06T0100-request-rate-limits': requestRateLimits,
  '2026-12-06T0200-photo-posts': photoPosts,
  '2026-12-06T0300-post-events': postEvents,
};
