import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '@reelpost/db';
import { type Kysely, sql } from 'kysely';
import { Logger, run, runMigrations, type Runner, type Task } from 'graphile-worker';
import type pg from 'pg';
import type { z } from 'zod';
import { runJobObserved, takeTraceContext, withTraceContext } from '../observability/jobs.js';

/**
 * Durable jobs in Postgres through graphile-worker: jobs are added with SQL inside the same transaction that records
 * the work (so a post and its job exist together or not at all), picked up at once through LISTEN/NOTIFY, and run
 * once across any number of workers (row locks with SKIP LOCKED).
 *
 * A job is a wake-up call, never the only record of work: the rows it acts on carry their own state, and periodic
 * sweeps find work whose job was lost (graphile-worker only frees a crashed worker's jobs after four hours).
 */

export interface JobDefinition<TPayload> {
  name: string;
  payload: z.ZodType<TPayload>;
}

/** Job names are graphile-worker task identifiers (letters, digits, `_`, `-`, `:`, `/`): e.g. `post:publish`. */
export function defineJob<TPayload>(name: string, payload: z.ZodType<TPayload>): JobDefinition<TPayload> {
  if (!/^[_a-zA-Z][\w:/-]*$/.test(name)) throw new Error(`"${name}" is not a valid job name`);
  return { name, payload };
}

export interface EnqueueOptions {
  runAt?: Date;
  /** At most one pending job per key: adding again replaces the pending one (its payload and time). */
  jobKey?: string;
  maxAttempts?: number;
}

/** Adds a job inside the caller's transaction (or on its own when given the database). */
export async function enqueueJob<TPayload>(
  db: Kysely<Database>,
  job: JobDefinition<TPayload>,
  payload: TPayload,
  options: EnqueueOptions = {},
): Promise<void> {
  const checked = job.payload.parse(payload);
  await sql`SELECT graphile_worker.add_job(
      identifier => ${job.name},
      payload => ${JSON.stringify(withTraceContext(checked))}::json,
      run_at => ${options.runAt ?? null}::timestamptz,
      max_attempts => ${options.maxAttempts ?? null}::int,
      job_key => ${options.jobKey ?? null}::text
    )`.execute(db);
}

/** Removes a pending job by key (e.g. a scheduled post that was cancelled); a running job is left alone. */
export async function removeJob(db: Kysely<Database>, jobKey: string): Promise<void> {
  await sql`SELECT graphile_worker.remove_job(${jobKey})`.execute(db);
}

/** Creates or upgrades the job queue's own schema (graphile_worker); safe to run from several processes at once. */
export async function installJobQueue(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: queueLogger() });
}

export type JobHandler<TPayload> = (payload: TPayload) => Promise<void>;

export interface JobRegistration<TPayload = never> {
  job: JobDefinition<TPayload>;
  handle: JobHandler<TPayload>;
  /** Cron-style schedule (graphile-worker crontab syntax, minute resolution), e.g. `* * * * *`. */
  every?: string;
}

// Registrations differ in payload type; each is checked against its own schema before its handler runs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJobRegistration = JobRegistration<any>;

export function register<TPayload>(
  job: JobDefinition<TPayload>,
  handle: JobHandler<TPayload>,
  every?: string,
): JobRegistration<TPayload> {
  return { job, handle, ...(every !== undefined && { every }) };
}

export interface JobWorkerOptions {
  pool: pg.Pool;
  jobs: AnyJobRegistration[];
  concurrency?: number;
  /** How often to look for jobs whose time has come when no notification arrives (ms). */
  pollIntervalMs?: number;
  onError?: (error: unknown, job: string) => void;
  /** graphile-worker's own warnings and errors (lost connections, failed jobs); debug chatter is dropped. */
  onLog?: (level: 'warning' | 'error', message: string) => void;
}

export interface JobWorker {
  /** Stops taking jobs and waits for the running ones to finish. */
  stop: () => Promise<void>;
  /** Whether the job loop is turning: it asked for work lately, or is running some (for a liveness probe). */
  liveness: () => JobLoopLiveness;
}

export interface JobLoopLiveness {
  alive: boolean;
  /** Since the loop last asked for a job or finished one. */
  idleMs: number;
  runningJobs: number;
}

const RESTART_FIRST_PAUSE_MS = 250;
const RESTART_MAX_PAUSE_MS = 5_000;

export async function startJobWorker(options: JobWorkerOptions): Promise<JobWorker> {
  const taskList: Record<string, Task> = {};
  for (const { job, handle } of options.jobs) {
    taskList[job.name] = async (raw) => {
      const { payload, links } = takeTraceContext(raw);
      await runJobObserved(job.name, links, async () => {
        try {
          await handle(job.payload.parse(payload));
        } catch (error) {
          options.onError?.(error, job.name);
          throw error;
        }
      });
    };
  }
  const crontab = options.jobs
    .filter((registration) => registration.every !== undefined)
    .map(({ job, every }) => `${every} ${job.name} ?jobKey=cron:${job.name}&max=1`)
    .join('\n');
  const start = (): Promise<Runner> =>
    run({
      pgPool: options.pool,
      taskList,
      crontab,
      concurrency: options.concurrency ?? 4,
      pollInterval: options.pollIntervalMs ?? 1000,
      noHandleSignals: true,
      logger: queueLogger(options.onLog),
      // Without batching, graphile-worker 0.17 records a job's end fire-and-forget: a database that is away at that
      // moment becomes an unhandled rejection, which ends the process. Batched (even with no delay), the write is
      // retried with backoff (about a minute in all), and only then does the runner stop — and is restarted below.
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    });

  // graphile-worker stops its runner for good when it still cannot record a job's end after its retries (Postgres
  // away for longer), and the runner's promise rejects; left alone, that takes the whole process down. The runner is
  // started again instead, once the database answers: the job it could not record stays locked, and the posts' own
  // state lets the sweep redo its work.
  let runner = await start();
  let stopping = false;
  const restartAfter = async (error: unknown): Promise<void> => {
    options.onLog?.('error', `the job queue stopped (${error instanceof Error ? error.message : String(error)}); starting it again`);
    for (let pause = RESTART_FIRST_PAUSE_MS; !stopping; pause = Math.min(pause * 2, RESTART_MAX_PAUSE_MS)) {
      await sleep(pause);
      if (stopping) return;
      try {
        runner = await start();
        supervise(runner);
        return;
      } catch (startError) {
        options.onLog?.('error', `the job queue could not start again yet (${startError instanceof Error ? startError.message : String(startError)})`);
      }
    }
  };
  // Liveness: every worker asks for a job each poll interval while idle, and jobs start and end while busy.
  let lastTurnAt = Date.now();
  let runningJobs = 0;
  const stalledAfterMs = Math.max(30_000, 10 * (options.pollIntervalMs ?? 1000));
  const supervise = (current: Runner) => {
    runningJobs = 0;
    current.events.on('worker:getJob:start', () => (lastTurnAt = Date.now()));
    current.events.on('job:start', () => {
      runningJobs += 1;
      lastTurnAt = Date.now();
    });
    current.events.on('job:complete', () => {
      runningJobs = Math.max(0, runningJobs - 1);
      lastTurnAt = Date.now();
    });
    let handled = false;
    const replace = (error: unknown) => {
      if (handled || stopping || current !== runner) return;
      handled = true;
      void restartAfter(error);
    };
    // A runner that gives up says so with `stop` at once, but its promise may settle only much later (its graceful
    // shutdown waits on a database that is away): the replacement must not wait for that.
    current.events.once('stop', () => replace(new Error('the runner stopped')));
    current.promise.catch(replace);
  };
  supervise(runner);

  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        await runner.stop().catch(() => undefined);
      })()),
    liveness: () => {
      const idleMs = Date.now() - lastTurnAt;
      return { alive: !stopping && (runningJobs > 0 || idleMs < stalledAfterMs), idleMs, runningJobs };
    },
  };
}

function queueLogger(onLog?: JobWorkerOptions['onLog']): Logger {
  return new Logger(() => (level, message) => {
    const name = String(level);
    if (name === 'warning' || name === 'error') onLog?.(name, message);
  });
}
