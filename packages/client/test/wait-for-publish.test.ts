import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  isFinalPostStatus,
  isWaitingPostStatus,
  type PostState,
  type PostStatus,
  type PostStatusReader,
  type PostTarget,
  type ReelpostErrorCode,
  waitForPublish,
  WaitForPublishAbortedError,
  type WaitForPublishOptions,
  WaitForPublishTimeoutError,
} from '../src/index.js';

// waitForPublish's schedule against a scripted `tiktok.status`: each call takes the next answer (a status, or an
// error shaped exactly as the API's error formatter shapes it), and time is a counter that `sleep` advances, so
// no test waits. (test/posting.test.ts follows a real post through the real router.)

const TASK_ID = '6f1c2a9e-4b7d-4c3e-9a51-2d8e0f7b6c41';
const ACCOUNT_ID = '0b9e7c55-1f0a-4f4e-8b8c-3c9d2e1a7f60';

function view(status: PostState, extra: Partial<PostStatus> = {}): PostStatus {
  const at = new Date('2026-11-27T12:00:00Z');
  return {
    postId: 'a7c3e1d2-5b6f-4a8e-9c0d-1e2f3a4b5c6d',
    taskId: TASK_ID,
    accountId: ACCOUNT_ID,
    status,
    tiktokStatus: null,
    publishId: 'v_pub_1',
    publicUrl: null,
    failReason: null,
    message: `The post is ${status}.`,
    hint: null,
    outcomeUnknown: false,
    mode: 'direct',
    mediaType: 'VIDEO',
    privacyLevel: 'SELF_ONLY',
    sandboxForcedPrivate: false,
    uploadedBytes: null,
    downloadedBytes: null,
    scheduledAt: null,
    lastCheckedAt: at,
    takenDownAt: null,
    createdAt: at,
    updatedAt: at,
    ...extra,
  };
}

const HTTP_STATUS: Partial<Record<ReelpostErrorCode, number>> = { RATE_LIMITED: 429, POST_NOT_FOUND: 404, TIKTOK_UNAVAILABLE: 503 };

/** An error as the client gets it from the API: the error formatter's shape in a TRPCClientError. */
function apiError(code: ReelpostErrorCode, extra: { retryAfterMs?: number } = {}) {
  const httpStatus = HTTP_STATUS[code] ?? 400;
  return TRPCClientError.from({
    error: {
      message: `${code} happened`,
      code: -32000,
      data: { code, httpStatus, path: 'tiktok.status', appCode: code, hint: null, tiktok: null, retryAfterMs: extra.retryAfterMs ?? null, details: null, issues: null },
    },
  });
}

/** What the client rejects with when the request never got an answer. */
const networkFailure = () => TRPCClientError.from(new TypeError('fetch failed'));

type Answer = PostStatus | Error | ((signal: AbortSignal | undefined) => Promise<PostStatus>);

function scripted(...answers: Answer[]) {
  const calls: PostTarget[] = [];
  const reader: PostStatusReader = {
    tiktok: {
      status: {
        async query(input, options) {
          calls.push(input);
          const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
          if (typeof answer === 'function') return answer(options?.signal);
          if (answer instanceof Error) throw answer;
          return answer;
        },
      },
    },
  };
  return { reader, calls };
}

/** Time that passes only when waitForPublish sleeps. */
function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    elapsed: () => now - 1_000_000,
    options: {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
      random: () => 0.5,
    } satisfies Partial<WaitForPublishOptions>,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('waitForPublish', () => {
  it('follows the post to PUBLISHED, pausing 1 s, 2 s, 4 s…, and reports each change once', async () => {
    const time = fakeTime();
    const { reader, calls } = scripted(
      view('PROCESSING', { tiktokStatus: 'PROCESSING_DOWNLOAD', downloadedBytes: 0 }),
      view('PROCESSING', { tiktokStatus: 'PROCESSING_DOWNLOAD', downloadedBytes: 0, lastCheckedAt: new Date() }),
      view('PROCESSING', { tiktokStatus: 'PROCESSING_DOWNLOAD', downloadedBytes: 5_000_000 }),
      view('PUBLISHED', { tiktokStatus: 'PUBLISH_COMPLETE', publicUrl: 'https://www.tiktok.com/@demo/video/1' }),
    );
    const seen: PostStatus[] = [];

    const final = await waitForPublish(reader, { taskId: TASK_ID, onProgress: (status) => seen.push(status), ...time.options });

    expect(final.status).toBe('PUBLISHED');
    expect(final.publicUrl).toBe('https://www.tiktok.com/@demo/video/1');
    expect(seen.map((status) => [status.status, status.downloadedBytes])).toEqual([
      ['PROCESSING', 0],
      ['PROCESSING', 5_000_000],
      ['PUBLISHED', null],
    ]);
    expect(time.sleeps).toEqual([1000, 2000, 4000]);
    expect(calls).toEqual(Array(4).fill({ taskId: TASK_ID }));
  });

  it('asks about the named account', async () => {
    const { reader, calls } = scripted(view('PUBLISHED'));
    await waitForPublish(reader, { taskId: TASK_ID, accountId: ACCOUNT_ID, ...fakeTime().options });
    expect(calls).toEqual([{ taskId: TASK_ID, accountId: ACCOUNT_ID }]);
  });

  it.each(['FAILED', 'CANCELLED'] as const)('returns %s as final, without throwing', async (state) => {
    const time = fakeTime();
    const { reader } = scripted(view('SCHEDULED'), view('PROCESSING'), view(state, { failReason: state === 'FAILED' ? 'spam_risk' : null }));
    const final = await waitForPublish(reader, { taskId: TASK_ID, ...time.options });
    expect(final.status).toBe(state);
    expect(time.sleeps).toHaveLength(2);
  });

  it('returns SENT_TO_INBOX as waiting (not final) by default: the creator may post it days later, or never', async () => {
    const time = fakeTime();
    const { reader } = scripted(view('PROCESSING'), view('SENT_TO_INBOX', { mode: 'inbox' }), view('PUBLISHED'));
    const settled = await waitForPublish(reader, { taskId: TASK_ID, ...time.options });
    expect(settled.status).toBe('SENT_TO_INBOX');
    expect(isWaitingPostStatus(settled)).toBe(true);
    expect(isFinalPostStatus(settled)).toBe(false);
  });

  it('with waitForCreator, keeps following an inbox draft until the creator posts it', async () => {
    const time = fakeTime();
    const { reader } = scripted(view('PROCESSING'), view('SENT_TO_INBOX'), view('SENT_TO_INBOX'), view('PUBLISHED', { publicUrl: 'https://www.tiktok.com/@c/video/1' }));
    const final = await waitForPublish(reader, { taskId: TASK_ID, waitForCreator: true, ...time.options });
    expect(final).toMatchObject({ status: 'PUBLISHED', publicUrl: 'https://www.tiktok.com/@c/video/1' });
    expect(time.sleeps).toHaveLength(3);
  });

  it('pauses at most 15 s, varied by ±20 % but never above the cap', async () => {
    const steady = fakeTime();
    const { reader } = scripted(...Array<PostStatus>(8).fill(view('PROCESSING')), view('PUBLISHED'));
    await waitForPublish(reader, { taskId: TASK_ID, ...steady.options });
    expect(steady.sleeps).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000, 15_000, 15_000]);

    for (const [random, expected] of [
      [0, [800, 1600, 3200, 6400, 12_000]],
      [0.999, [1200, 2399, 4798, 9597, 15_000]],
    ] as const) {
      const time = fakeTime();
      const { reader: again } = scripted(...Array<PostStatus>(5).fill(view('PROCESSING')), view('PUBLISHED'));
      await waitForPublish(again, { taskId: TASK_ID, ...time.options, random: () => random });
      expect(time.sleeps).toEqual(expected);
    }
  });

  it('takes its pace from the options', async () => {
    const time = fakeTime();
    const { reader } = scripted(view('PROCESSING'), view('PROCESSING'), view('PROCESSING'), view('PUBLISHED'));
    await waitForPublish(reader, { taskId: TASK_ID, ...time.options, initialDelayMs: 250, maxDelayMs: 600 });
    expect(time.sleeps).toEqual([250, 500, 600]);
  });

  it('waits out RATE_LIMITED for exactly retryAfterMs, then goes on', async () => {
    const time = fakeTime();
    const { reader, calls } = scripted(view('PROCESSING'), apiError('RATE_LIMITED', { retryAfterMs: 7300 }), view('PUBLISHED'));
    const final = await waitForPublish(reader, { taskId: TASK_ID, ...time.options });
    expect(final.status).toBe('PUBLISHED');
    expect(time.sleeps).toEqual([1000, 7300]);
    expect(calls).toHaveLength(3);
  });

  it('waits the current pause for a RATE_LIMITED without retryAfterMs', async () => {
    const time = fakeTime();
    const { reader } = scripted(apiError('RATE_LIMITED'), view('PUBLISHED'));
    await waitForPublish(reader, { taskId: TASK_ID, ...time.options });
    expect(time.sleeps).toEqual([1000]);
  });

  it('retries up to 3 network failures or 503s in a row, and throws the 4th', async () => {
    const time = fakeTime();
    const { reader } = scripted(networkFailure(), apiError('TIKTOK_UNAVAILABLE'), networkFailure(), view('PROCESSING'), networkFailure(), view('PUBLISHED'));
    expect((await waitForPublish(reader, { taskId: TASK_ID, ...time.options })).status).toBe('PUBLISHED');

    const failing = networkFailure();
    const { reader: down, calls } = scripted(failing);
    await expect(waitForPublish(down, { taskId: TASK_ID, ...fakeTime().options })).rejects.toBe(failing);
    expect(calls).toHaveLength(4);
  });

  it('throws any other error of the call as the client threw it', async () => {
    const notFound = apiError('POST_NOT_FOUND');
    const time = fakeTime();
    const { reader, calls } = scripted(notFound);
    await expect(waitForPublish(reader, { taskId: TASK_ID, ...time.options })).rejects.toBe(notFound);
    expect(calls).toHaveLength(1);
    expect(time.sleeps).toEqual([]);

    const bug = new TypeError('reader is broken');
    await expect(waitForPublish(scripted(bug).reader, { taskId: TASK_ID, ...fakeTime().options })).rejects.toBe(bug);
  });

  it('gives up after timeoutMs, checking once more at the deadline, with the last status', async () => {
    const time = fakeTime();
    const { reader, calls } = scripted(view('PROCESSING', { uploadedBytes: 10 }));
    const error = await waitForPublish(reader, { taskId: TASK_ID, timeoutMs: 10_000, ...time.options }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WaitForPublishTimeoutError);
    const timeout = error as WaitForPublishTimeoutError;
    expect(timeout).toMatchObject({ reason: 'timeout', timeoutMs: 10_000, name: 'WaitForPublishTimeoutError' });
    expect(timeout.lastStatus?.uploadedBytes).toBe(10);
    expect(timeout.message).toContain('It was PROCESSING');
    expect(time.sleeps).toEqual([1000, 2000, 4000, 3000]);
    expect(time.elapsed()).toBe(10_000);
    expect(calls).toHaveLength(5);
  });

  it('gives up at once when a rate limit asks to wait beyond the deadline', async () => {
    const time = fakeTime();
    const limited = apiError('RATE_LIMITED', { retryAfterMs: 60_000 });
    const { reader } = scripted(view('PROCESSING'), limited);
    const error = await waitForPublish(reader, { taskId: TASK_ID, timeoutMs: 30_000, ...time.options }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitForPublishTimeoutError);
    expect((error as WaitForPublishTimeoutError).cause).toBe(limited);
    expect(time.sleeps).toEqual([1000]);
  });

  it('stops when the signal aborts: before the first call, while pausing, during a call', async () => {
    const before = new AbortController();
    const leaving = new Error('user left');
    before.abort(leaving);
    const untouched = scripted(view('PROCESSING'));
    const early = await waitForPublish(untouched.reader, { taskId: TASK_ID, signal: before.signal, ...fakeTime().options }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(WaitForPublishAbortedError);
    expect(early).toMatchObject({ reason: 'aborted', lastStatus: null, cause: leaving });
    expect(untouched.calls).toHaveLength(0);

    const pausing = new AbortController();
    const time = fakeTime();
    const sleepThenAbort = async (ms: number, signal?: AbortSignal) => {
      pausing.abort();
      await time.options.sleep(ms);
      throw signal?.reason;
    };
    const midPause = await waitForPublish(scripted(view('PROCESSING')).reader, {
      taskId: TASK_ID,
      signal: pausing.signal,
      ...time.options,
      sleep: sleepThenAbort,
    }).catch((e: unknown) => e);
    expect(midPause).toBeInstanceOf(WaitForPublishAbortedError);
    expect((midPause as WaitForPublishAbortedError).lastStatus?.status).toBe('PROCESSING');

    const calling = new AbortController();
    let callSignal: AbortSignal | undefined;
    const hanging = scripted(
      (signal) =>
        new Promise<PostStatus>((_resolve, reject) => {
          callSignal = signal;
          signal?.addEventListener('abort', () => reject(TRPCClientError.from(new DOMException('aborted', 'AbortError'))));
          calling.abort();
        }),
    );
    const midCall = await waitForPublish(hanging.reader, { taskId: TASK_ID, signal: calling.signal, ...fakeTime().options }).catch((e: unknown) => e);
    expect(midCall).toBeInstanceOf(WaitForPublishAbortedError);
    expect(callSignal?.aborted).toBe(true);
  });

  it('sleeps with setTimeout by default, and abandons a call that hangs past the deadline', async () => {
    vi.useFakeTimers();
    const { reader } = scripted(view('PROCESSING'), view('PUBLISHED'));
    const waiting = waitForPublish(reader, { taskId: TASK_ID, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(999);
    let settled = false;
    void waiting.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await waiting).status).toBe('PUBLISHED');

    const hanging = scripted(
      (signal) =>
        new Promise<PostStatus>((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(TRPCClientError.from(new DOMException('aborted', 'AbortError'))));
        }),
    );
    const stuck = waitForPublish(hanging.reader, { taskId: TASK_ID, timeoutMs: 20_000 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(20_000);
    const error = await stuck;
    expect(error).toBeInstanceOf(WaitForPublishTimeoutError);
    expect((error as WaitForPublishTimeoutError).cause).toBeInstanceOf(TRPCClientError);
  });

  it('refuses durations that are not durations', async () => {
    const { reader } = scripted(view('PUBLISHED'));
    await expect(waitForPublish(reader, { taskId: TASK_ID, timeoutMs: -1 })).rejects.toThrow(RangeError);
    await expect(waitForPublish(reader, { taskId: TASK_ID, maxDelayMs: Number.NaN })).rejects.toThrow(RangeError);
    await expect(waitForPublish(reader, { taskId: TASK_ID, initialDelayMs: Infinity })).rejects.toThrow(RangeError);
  });
});
