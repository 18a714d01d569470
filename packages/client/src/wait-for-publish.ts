import { isTRPCClientError } from '@trpc/client';
import {
  FINAL_POST_STATES,
  type FinalPostState,
  type PostStatus,
  type PostTarget,
  WAITING_POST_STATES,
  type WaitingPostState,
} from './contract.generated.js';
import { readReelpostError, type ReelpostErrorInfo } from './errors.js';
import { changeWakeups, type ChangeWakeups, type PostWatcher } from './watch-post.js';

/**
 * What `waitForPublish` needs of a client: `tiktok.status`, and `tiktok.watch` to be told of changes rather than
 * poll. A `ReelpostClient` is one.
 */
export interface PostStatusReader {
  tiktok: {
    status: {
      query(input: PostTarget, options?: { signal?: AbortSignal }): Promise<PostStatus>;
    };
    watch?: PostWatcher['tiktok']['watch'];
  };
}

/** A post that has reached a status after which nothing more happens by itself. */
export type FinalPostStatus = PostStatus & { status: FinalPostState };

/**
 * A post waiting on a person: an inbox draft (SENT_TO_INBOX) the creator finishes in TikTok — days later, or
 * never. It becomes PUBLISHED if they post it.
 */
export type WaitingPostStatus = PostStatus & { status: WaitingPostState };

export interface WaitForPublishOptions {
  taskId: string;
  /** The account the task was posted to; the instance's default account when omitted. */
  accountId?: string | undefined;
  /**
   * What to do when the post reaches SENT_TO_INBOX (an inbox draft waiting for the creator to finish it in TikTok).
   * `false` (the default): return it — the creator may post it days later or never, so a caller usually tells the
   * person "finish it in TikTok" and stops. `true`: keep following until PUBLISHED (or FAILED), the timeout or the
   * signal — for a page that stays open to show the creator's post when it happens.
   */
  waitForCreator?: boolean | undefined;
  /** Stops waiting: rejects with `WaitForPublishAbortedError` (and aborts a status call in flight). */
  signal?: AbortSignal | undefined;
  /**
   * Gives up after this long with `WaitForPublishTimeoutError` (default 10 minutes; `Infinity` waits as long as it
   * takes, e.g. for a post scheduled days ahead). A status call still running at the deadline gets 5 s more.
   */
  timeoutMs?: number | undefined;
  /** Called with the first status and then with each one that differs (status, TikTok's status, bytes, URL…). */
  onProgress?: ((status: PostStatus) => void) | undefined;
  /** The first pause between status calls (default 1 s); it doubles after each call, up to `maxDelayMs`. */
  initialDelayMs?: number | undefined;
  /** The longest pause between status calls (default 15 s). Pauses vary by ±20 % (never above this) so clients do not call in step. */
  maxDelayMs?: number | undefined;
  /** Waits `ms` (rejecting when `signal` aborts); `setTimeout` by default. For tests and custom schedulers. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** The current time in ms; `Date.now` by default. */
  now?: (() => number) | undefined;
  /** A number in [0, 1) for the jitter; `Math.random` by default. */
  random?: (() => number) | undefined;
}

/** Why `waitForPublish` stopped before the post reached a final status. */
export class WaitForPublishError extends Error {
  override readonly name: string = 'WaitForPublishError';
  constructor(
    message: string,
    readonly reason: 'timeout' | 'aborted',
    /** The last status seen, if any call succeeded. */
    readonly lastStatus: PostStatus | null,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/** `timeoutMs` passed (or a rate limit asked to wait beyond it) before the post reached a final status. */
export class WaitForPublishTimeoutError extends WaitForPublishError {
  override readonly name = 'WaitForPublishTimeoutError';
  constructor(
    readonly timeoutMs: number,
    lastStatus: PostStatus | null,
    cause?: unknown,
  ) {
    const where = lastStatus ? ` It was ${lastStatus.status}: ${lastStatus.message}` : '';
    super(`The post did not reach a final status within ${timeoutMs} ms.${where}`, 'timeout', lastStatus, cause);
  }
}

/** The `signal` aborted; `cause` is the signal's reason. */
export class WaitForPublishAbortedError extends WaitForPublishError {
  override readonly name = 'WaitForPublishAbortedError';
  constructor(lastStatus: PostStatus | null, cause?: unknown) {
    super('Stopped waiting for the post: the signal aborted.', 'aborted', lastStatus, cause);
  }
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
const DEFAULT_INITIAL_DELAY_MS = 1000;
const DEFAULT_MAX_DELAY_MS = 15_000;
/** Network failures and 502/503/504 in a row that are retried (with the same backoff) before giving up. */
const MAX_TRANSIENT_FAILURES = 3;
/** How long a status call that started just before the deadline may still take. */
const LAST_CALL_GRACE_MS = 5000;
/**
 * While the stream is open the status is read at each change only — and this often anyway, in case the stream is
 * stuck reconnecting to a server that cannot serve it.
 */
const STREAM_SAFETY_READ_MS = 60_000;
/** setTimeout fires at once for longer delays. */
const MAX_TIMER_MS = 2_147_483_647;

const FINAL: ReadonlySet<string> = new Set(FINAL_POST_STATES);
const WAITING: ReadonlySet<string> = new Set(WAITING_POST_STATES);

/** PUBLISHED, FAILED or CANCELLED: nothing more happens to the post by itself. */
export function isFinalPostStatus(status: PostStatus): status is FinalPostStatus {
  return FINAL.has(status.status);
}

/** SENT_TO_INBOX: the post waits for the creator to finish it in TikTok (it may still become PUBLISHED). */
export function isWaitingPostStatus(status: PostStatus): status is WaitingPostStatus {
  return WAITING.has(status.status);
}

function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.min(ms, MAX_TIMER_MS));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** What a person would notice changing; `lastCheckedAt` and `updatedAt` move on every refresh and are left out. */
function progressKey(status: PostStatus): string {
  return JSON.stringify([
    status.status,
    status.tiktokStatus,
    status.publishId,
    status.publicUrl,
    status.failReason,
    status.message,
    status.hint,
    status.outcomeUnknown,
    status.uploadedBytes,
    status.downloadedBytes,
    status.scheduledAt instanceof Date ? status.scheduledAt.getTime() : status.scheduledAt,
  ]);
}

/** A failure worth another try: no answer at all (the network), or a gateway that could not reach its upstream. */
function isTransient(error: unknown, problem: ReelpostErrorInfo | null): boolean {
  if (problem) return problem.httpStatus === 502 || problem.httpStatus === 503 || problem.httpStatus === 504;
  return isTRPCClientError(error);
}

function checkDuration(name: string, value: number, allowInfinity: boolean): number {
  if (Number.isNaN(value) || value < 0 || (!allowInfinity && !Number.isFinite(value))) {
    throw new RangeError(`waitForPublish: ${name} must be a non-negative number of milliseconds (got ${value}).`);
  }
  return value;
}

class DeadlineReached extends Error {}

/**
 * Follows a post with `tiktok.status` until it reaches a final status (PUBLISHED, FAILED or CANCELLED) — or, unless
 * `waitForCreator` is set, SENT_TO_INBOX, the inbox draft waiting for the creator — and returns that status; FAILED
 * and CANCELLED are returned, not thrown: read `failReason`, `message` and `hint`. Pauses between calls grow from 1 s to 15 s; a RATE_LIMITED answer is waited out for its
 * `retryAfterMs`; up to 3 network failures or 502/503/504 in a row are retried. Any other error of the call (the
 * task has no post, the token expired…) is thrown as the client threw it.
 *
 *   const final = await waitForPublish(client, { taskId, onProgress: (s) => render(s.message) });
 */
export async function waitForPublish(client: PostStatusReader, options: WaitForPublishOptions & { waitForCreator: true }): Promise<FinalPostStatus>;
export async function waitForPublish(client: PostStatusReader, options: WaitForPublishOptions): Promise<FinalPostStatus | WaitingPostStatus>;
export async function waitForPublish(client: PostStatusReader, options: WaitForPublishOptions): Promise<FinalPostStatus | WaitingPostStatus> {
  const { taskId, accountId, signal, onProgress } = options;
  const waitForCreator = options.waitForCreator ?? false;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  const timeoutMs = checkDuration('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS, true);
  const maxDelayMs = checkDuration('maxDelayMs', options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS, false);
  let delayMs = Math.min(checkDuration('initialDelayMs', options.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS, false), maxDelayMs);

  const target: PostTarget = accountId === undefined ? { taskId } : { taskId, accountId };
  const deadline = now() + timeoutMs;
  // Live status when the client has it: between status reads it waits for the next change instead of a timer, and
  // polls only once the stream fails (no EventSource here, a server without live status, a broken connection).
  const watch = client.tiktok.watch;
  const changes: ChangeWakeups | null = watch ? changeWakeups({ tiktok: { watch } }, target) : null;
  const stopWatching = () => changes?.close();
  signal?.addEventListener('abort', stopWatching, { once: true });
  try {
    return await follow();
  } finally {
    signal?.removeEventListener('abort', stopWatching);
    changes?.close();
  }

  async function follow(): Promise<FinalPostStatus | WaitingPostStatus> {
    let last: PostStatus | null = null;
    let lastKey: string | null = null;
    let transientFailures = 0;

    const aborted = () => new WaitForPublishAbortedError(last, signal?.reason);
    const timedOut = (cause?: unknown) => new WaitForPublishTimeoutError(timeoutMs, last, cause);
    const jittered = (ms: number) => Math.min(Math.round(ms * (0.8 + 0.4 * random())), maxDelayMs);

    async function pause(ms: number): Promise<void> {
      try {
        await sleep(ms, signal);
      } catch (error) {
        if (signal?.aborted) throw aborted();
        throw error;
      }
      if (signal?.aborted) throw aborted();
    }

    async function readStatus(): Promise<PostStatus> {
      // The call gets its own signal: the caller's, and the deadline (plus a grace for a call started just before it).
      const controller = new AbortController();
      const forward = () => controller.abort(signal?.reason);
      signal?.addEventListener('abort', forward, { once: true });
      let deadlineReached = false;
      const limit = Math.max(deadline - now(), LAST_CALL_GRACE_MS);
      const timer =
        limit <= MAX_TIMER_MS
          ? setTimeout(() => {
              deadlineReached = true;
              controller.abort();
            }, limit)
          : undefined;
      try {
        return await client.tiktok.status.query(target, { signal: controller.signal });
      } catch (error) {
        if (deadlineReached) throw new DeadlineReached('deadline', { cause: error });
        throw error;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', forward);
      }
    }

    for (;;) {
      if (signal?.aborted) throw aborted();
      let status: PostStatus;
      try {
        status = await readStatus();
        transientFailures = 0;
      } catch (error) {
        if (signal?.aborted) throw aborted();
        if (error instanceof DeadlineReached) throw timedOut(error.cause);
        const problem = readReelpostError(error);
        let waitMs: number;
        if (problem?.code === 'RATE_LIMITED') {
          waitMs = problem.retryAfterMs ?? jittered(delayMs);
        } else if (isTransient(error, problem) && ++transientFailures <= MAX_TRANSIENT_FAILURES) {
          waitMs = jittered(delayMs);
          delayMs = Math.min(delayMs * 2, maxDelayMs);
        } else {
          throw error;
        }
        // Asking again before the server allows it is pointless, and so is waiting past the deadline to do it.
        if (waitMs >= deadline - now()) throw timedOut(error);
        await pause(waitMs);
        continue;
      }

      last = status;
      const key = progressKey(status);
      if (key !== lastKey) {
        lastKey = key;
        onProgress?.(status);
      }
      if (isFinalPostStatus(status)) return status;
      if (!waitForCreator && isWaitingPostStatus(status)) return status;

      const remainingMs = deadline - now();
      if (remainingMs <= 0) throw timedOut();
      if (changes?.live) {
        await changes.next(Math.min(remainingMs, STREAM_SAFETY_READ_MS));
        if (signal?.aborted) throw aborted();
        continue;
      }
      await pause(Math.min(jittered(delayMs), remainingMs));
      delayMs = Math.min(delayMs * 2, maxDelayMs);
    }
  }
}
