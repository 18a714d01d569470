import type { AppDeps } from '../deps.js';
import { appError } from '../errors.js';
import { findPost } from '../posting/service.js';
import type { Session } from '../trpc.js';
import { endsWatch, lastSeqFrom, POST_EVENT_COLUMNS, postEventFromRow } from './events.js';
import type { PostEventHub } from './hub.js';
import { StreamInbox } from './inbox.js';
import type { PostEvent, WatchInput } from './schemas.js';

export interface WatchDeps extends Pick<AppDeps, 'db' | 'clock'> {
  /** The process's hub; absent where no LISTEN connection runs (a worker, an in-process caller). */
  postEvents?: PostEventHub | undefined;
}

async function readPostEvent(deps: WatchDeps, postId: string): Promise<PostEvent | null> {
  const row = await deps.db.selectFrom('tiktok_posts').select(POST_EVENT_COLUMNS).where('id', '=', postId).executeTakeFirst();
  return row ? postEventFromRow(row) : null;
}

export interface WatchOptions {
  signal?: AbortSignal | undefined;
  /** When the caller's token stops being valid: the stream is closed then (401), never served past it. */
  expiresAt?: Date | undefined;
}

/**
 * tiktok.watch and the REST event stream: everything that can refuse (sign-in, ownership, no post, the stream
 * limits) is decided before the first event; then the post's current state (unless the caller already saw it), then
 * every change, until a state that ends the watch.
 */
export async function openPostWatch(
  deps: WatchDeps,
  session: Session,
  input: WatchInput,
  options: WatchOptions = {},
): Promise<AsyncGenerator<PostEvent, void>> {
  // The post tiktok.status answers for, refused the same way (unknown task 404, someone else's 403, no post 404).
  const post = await findPost(deps, session, input);
  const hub = deps.postEvents;
  if (!hub) {
    throw appError('LIVE_STATUS_UNAVAILABLE', 'Live status is not served here.', { hint: 'Poll tiktok.status instead.' });
  }
  const inbox = new StreamInbox(post.id);
  // Subscribed before the row is read below: a change committed in between is in the inbox, not lost.
  const release = hub.open(session.userId, post.task_id, inbox);
  // A caller gone before the stream's first read never runs the generator's cleanup: free its place here too.
  options.signal?.addEventListener('abort', release, { once: true });
  return followPost(deps, inbox, release, lastSeqFrom(input.lastEventId, post.id), options);
}

async function* followPost(
  deps: WatchDeps,
  inbox: StreamInbox,
  release: () => void,
  seenSeq: number,
  options: WatchOptions,
): AsyncGenerator<PostEvent, void> {
  const onAbort = () => inbox.end('caller');
  options.signal?.addEventListener('abort', onAbort);
  const msLeft = options.expiresAt ? options.expiresAt.getTime() - deps.clock.now().getTime() : null;
  const expiry = msLeft === null ? undefined : setTimeout(() => inbox.end('expiry'), Math.max(0, msLeft));
  let last = seenSeq;
  try {
    let next: PostEvent | 'resync' | null = 'resync';
    while (next !== null) {
      const event = next === 'resync' ? await readPostEvent(deps, inbox.postId) : next;
      if (event && event.seq > last) {
        last = event.seq;
        yield event;
        if (endsWatch(event)) return;
      } else if (event && endsWatch(event)) {
        // Already seen (a reconnect after the final event): nothing more will come.
        return;
      }
      next = await inbox.next();
    }
    if (inbox.endedBy === 'expiry') {
      throw appError('UNAUTHORIZED', 'The bearer token has expired: the stream is closed.', {
        hint: 'Get a fresh token and watch again with the last event id: nothing is lost.',
      });
    }
    if (inbox.endedBy === 'shutdown') {
      // A 503 (not an end): tRPC's client, and an EventSource, reconnect with the last event id — to another server.
      throw appError('LIVE_STATUS_UNAVAILABLE', 'This server is shutting down.', { hint: 'Reconnect with the last event id: another server answers.' });
    }
  } finally {
    clearTimeout(expiry);
    options.signal?.removeEventListener('abort', onAbort);
    release();
  }
}
