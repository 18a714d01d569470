import { type Meter, ValueType } from '@opentelemetry/api';
import type { JobWorker } from '@reelpost/api';
import type { Database, OpenedDatabase } from '@reelpost/db';
import { type Kysely, sql } from 'kysely';

export interface GaugeSources {
  db: Kysely<Database>;
  pool: Pick<OpenedDatabase['pool'], 'totalCount' | 'idleCount' | 'waitingCount'>;
  /** This process's job loop, when it runs one. */
  worker?: JobWorker | undefined;
  role: 'server' | 'worker';
  /** Every job name, reported at 0 when none is queued (a series that vanishes reads as "no data", not as none). */
  jobNames: readonly string[];
}

interface QueueRow {
  job: string;
  due: string;
  scheduled: string;
  running: string;
  oldest_due_s: number | null;
}

/**
 * Values read when Prometheus scrapes, not kept up to date in between: the job queue (depth by job and state, age
 * of the oldest due job), accounts by state (needs_reauth among them), and this process's Postgres pool. The queue
 * and account figures are the database's, the same from every process: aggregate them with max(), not sum().
 * A database that does not answer leaves them out of that scrape rather than failing it.
 */
export function registerGauges(meter: Meter, sources: GaugeSources): void {
  const queued = meter.createObservableGauge('reelpost.jobs.queued', {
    description: 'Jobs in the queue, by job name and state (due: waiting for a worker, scheduled: later, running: locked)',
    valueType: ValueType.INT,
  });
  const oldestDue = meter.createObservableGauge('reelpost.jobs.oldest_due.age', {
    description: 'How long the oldest due job has been waiting for a worker (0 when none waits)',
    unit: 's',
  });
  const accounts = meter.createObservableGauge('reelpost.tiktok.accounts', {
    description: 'Connected TikTok accounts by state (active, needs_reauth, revoked)',
    valueType: ValueType.INT,
  });
  meter.addBatchObservableCallback(
    async (observer) => {
      try {
        const [queue, states] = await Promise.all([readQueue(sources.db), readAccountStates(sources.db)]);
        let oldest = 0;
        const empty = { due: '0', scheduled: '0', running: '0', oldest_due_s: null };
        const rows = new Map<string, QueueRow>(sources.jobNames.map((job) => [job, { job, ...empty }]));
        for (const row of queue) rows.set(row.job, row);
        for (const row of rows.values()) {
          observer.observe(queued, Number(row.due), { job: row.job, state: 'due' });
          observer.observe(queued, Number(row.scheduled), { job: row.job, state: 'scheduled' });
          observer.observe(queued, Number(row.running), { job: row.job, state: 'running' });
          oldest = Math.max(oldest, row.oldest_due_s ?? 0);
        }
        observer.observe(oldestDue, oldest);
        for (const state of ['active', 'needs_reauth', 'revoked']) {
          observer.observe(accounts, states.get(state) ?? 0, { state });
        }
      } catch {
        // The database is away: /readyz says so; these gauges are simply missing from this scrape.
      }
    },
    [queued, oldestDue, accounts],
  );

  const poolName = `reelpost-${sources.role}`;
  meter
    .createObservableUpDownCounter('db.client.connection.count', { description: 'Postgres connections of this process by state', valueType: ValueType.INT })
    .addCallback((observer) => {
      const { totalCount, idleCount } = sources.pool;
      observer.observe(totalCount - idleCount, { 'db.client.connection.state': 'used', 'db.client.connection.pool.name': poolName });
      observer.observe(idleCount, { 'db.client.connection.state': 'idle', 'db.client.connection.pool.name': poolName });
    });
  meter
    .createObservableUpDownCounter('db.client.connection.pending_requests', { description: 'Queries waiting for a free Postgres connection', valueType: ValueType.INT })
    .addCallback((observer) => observer.observe(sources.pool.waitingCount, { 'db.client.connection.pool.name': poolName }));

  const { worker } = sources;
  if (worker) {
    meter
      .createObservableGauge('reelpost.jobs.loop.alive', { description: '1 while this process’s job loop polls or runs jobs, 0 when it stalled', valueType: ValueType.INT })
      .addCallback((observer) => observer.observe(worker.liveness().alive ? 1 : 0));
  }
}

async function readQueue(db: Kysely<Database>): Promise<QueueRow[]> {
  // graphile-worker's own tables (0.17): one pass over pending jobs, grouped by task. A job out of attempts is dead
  // (kept for inspection) and not counted.
  const { rows } = await sql<QueueRow>`
    SELECT t.identifier AS job,
      count(*) FILTER (WHERE j.locked_at IS NULL AND j.run_at <= now()) AS due,
      count(*) FILTER (WHERE j.locked_at IS NULL AND j.run_at > now()) AS scheduled,
      count(*) FILTER (WHERE j.locked_at IS NOT NULL) AS running,
      extract(epoch FROM now() - min(j.run_at) FILTER (WHERE j.locked_at IS NULL AND j.run_at <= now()))::float8 AS oldest_due_s
    FROM graphile_worker._private_jobs j
    JOIN graphile_worker._private_tasks t ON t.id = j.task_id
    WHERE j.attempts < j.max_attempts
    GROUP BY t.identifier`.execute(db);
  return rows;
}

async function readAccountStates(db: Kysely<Database>): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('instance_tiktok_credentials')
    .select(['state', (eb) => eb.fn.countAll<string>().as('count')])
    .groupBy('state')
    .execute();
  return new Map(rows.map((row) => [row.state, Number(row.count)]));
}
