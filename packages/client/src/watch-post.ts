import type { PostTarget, ReelpostRouter } from './contract.generated.js';
import type { inferRouterOutputs } from '@trpc/server';

type WatchOutput = inferRouterOutputs<ReelpostRouter>['tiktok']['watch'];
/** One change of a post, as `tiktok.watch` sends it: the new status, its link or failure, and a per-post `seq`. */
export type PostEvent = WatchOutput extends AsyncIterable<{ data: infer E }, void> ? E : never;

/** What `watchPost` needs of a client: `tiktok.watch`. A `ReelpostClient` is one. */
export interface PostWatcher {
  tiktok: {
    watch: {
      subscribe(
        input: PostTarget,
        observer: { onData(value: { data: PostEvent }): void; onError(error: unknown): void; onComplete(): void },
      ): { unsubscribe(): void };
    };
  };
}

/**
 * Follows a post live: its current state, then each change as it happens, ending after PUBLISHED with its link,
 * FAILED or CANCELLED (a SENT_TO_INBOX draft keeps the stream open). The connection reconnects by itself and resumes
 * after the last event; an error that ends it (401, 403, 404, TOO_MANY_STREAMS) is thrown from the loop. Breaking
 * out of the loop, or aborting `signal`, closes the stream.
 *
 *   for await (const event of watchPost(client, { taskId })) render(event.message);
 */
export async function* watchPost(client: PostWatcher, target: PostTarget, options: { signal?: AbortSignal } = {}): AsyncGenerator<PostEvent, void> {
  const queue: PostEvent[] = [];
  let ended = false;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const subscription = client.tiktok.watch.subscribe(target, {
    onData: ({ data }) => {
      queue.push(data);
      notify();
    },
    onError: (error) => {
      failure = { error };
      notify();
    },
    onComplete: () => {
      ended = true;
      notify();
    },
  });
  const onAbort = () => {
    ended = true;
    notify();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const event = queue.shift();
      if (event) {
        yield event;
        continue;
      }
      if (failure) throw (failure as { error: unknown }).error;
      if (ended || options.signal?.aborted) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    subscription.unsubscribe();
  }
}

/** The longest a timer can wait (setTimeout fires at once for longer delays). */
const MAX_TIMER_MS = 2_147_483_647;

export interface ChangeWakeups {
  /** False for good once the stream failed (no EventSource, refused, broken): the caller polls instead. */
  readonly live: boolean;
  /** Resolves at the post's next change (at once if one came since the last call), or after `ms`. */
  next(ms: number): Promise<void>;
  close(): void;
}

/** `waitForPublish`'s stream: it only says "something changed"; the status is then read once. */
export function changeWakeups(client: PostWatcher, target: PostTarget): ChangeWakeups {
  let live = true;
  let changed = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  let subscription: { unsubscribe(): void } | null = null;
  try {
    subscription = client.tiktok.watch.subscribe(target, {
      onData: () => {
        changed = true;
        notify();
      },
      onError: () => {
        live = false;
        notify();
      },
      onComplete: () => {
        // A final state was sent: the status read it triggers sees it.
        changed = true;
        notify();
      },
    });
  } catch {
    live = false;
  }
  return {
    get live() {
      return live;
    },
    async next(ms) {
      if (!changed && live) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, Math.min(ms, MAX_TIMER_MS));
        });
        clearTimeout(timer);
      }
      changed = false;
    },
    close() {
      subscription?.unsubscribe();
      notify();
    },
  };
}
