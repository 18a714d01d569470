import type { OpenedDatabase } from '@reelpost/db';
import { sql } from 'kysely';

// Watches the drain from the database: how many posts were sent, accepted and finished, and how many connections
// the database holds (pg_stat_activity, by application), sampled while the workers run.

export interface DrainProgress {
  total: number;
  initiated: number;
  accepted: number;
  final: number;
  failed: number;
  lastInitiatedAt: Date | null;
  lastFinishedAt: Date | null;
}

export async function drainProgress(database: OpenedDatabase, userId: string): Promise<DrainProgress> {
  const row = await sql<{
    total: number;
    initiated: number;
    accepted: number;
    final: number;
    failed: number;
    last_initiated_at: Date | null;
    last_finished_at: Date | null;
  }>`
    SELECT count(*)::int AS total,
      count(*) FILTER (WHERE initiated_at IS NOT NULL)::int AS initiated,
      count(*) FILTER (WHERE publish_id IS NOT NULL)::int AS accepted,
      count(*) FILTER (WHERE status IN ('PUBLISHED', 'SENT_TO_INBOX', 'FAILED', 'UNKNOWN', 'CANCELLED'))::int AS final,
      count(*) FILTER (WHERE status IN ('FAILED', 'UNKNOWN'))::int AS failed,
      max(initiated_at) AS last_initiated_at,
      max(finished_at) AS last_finished_at
    FROM tiktok_posts WHERE requested_by = ${userId}
  `.execute(database.db);
  const r = row.rows[0]!;
  return {
    total: r.total,
    initiated: r.initiated,
    accepted: r.accepted,
    final: r.final,
    failed: r.failed,
    lastInitiatedAt: r.last_initiated_at,
    lastFinishedAt: r.last_finished_at,
  };
}

export interface ConnectionSampler {
  /** Highest number of connections to the database seen at once, in total and per application_name. */
  peak: () => { total: number; byApplication: Record<string, number> };
  stop: () => Promise<void>;
}

export function sampleConnections(database: OpenedDatabase, everyMs = 250): ConnectionSampler {
  let total = 0;
  const byApplication: Record<string, number> = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await sql<{ application: string; connections: number }>`
        SELECT coalesce(nullif(application_name, ''), '(unnamed)') AS application, count(*)::int AS connections
        FROM pg_stat_activity WHERE datname = current_database() GROUP BY 1
      `.execute(database.db);
      total = Math.max(total, rows.reduce((sum, row) => sum + row.connections, 0));
      for (const row of rows) byApplication[row.application] = Math.max(byApplication[row.application] ?? 0, row.connections);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    peak: () => ({ total, byApplication: { ...byApplication } }),
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
