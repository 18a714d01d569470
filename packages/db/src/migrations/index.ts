import type { Migration } from 'kysely';
import * as initialSchema from './2026-11-27T0001-initial-schema.js';
import * as tiktokCallLog from './2026-11-27T0200-tiktok-call-log.js';
import * as postingLifecycle from './2026-11-27T0300-posting-lifecycle.js';
import * as tiktokCallBudgetFunction from './2026-11-27T0900-tiktok-call-budget-function.js';

/**
 * Every migration, by its dated name. A static list (rather than reading the folder) keeps migrations inside the
 * server bundle; Kysely runs them in name order, so names must sort by date.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-27T0001-initial-schema': initialSchema,
  '2026-11-27T0200-tiktok-call-log': tiktokCallLog,
  '2026-11-27T0300-posting-lifecycle': postingLifecycle,
  '2026-11-27T0900-tiktok-call-budget-function': tiktokCallBudgetFunction,
};
