import type { TikTokPost } from '@reelpost/db';
import { describePostState } from '../posting/view.js';
import type { PostEvent, PostNotification } from './schemas.js';

/** A comment line this often keeps proxies and load balancers from closing an idle stream (tRPC's ping, and REST's). */
export const LIVE_HEARTBEAT_MS = 15_000;

/** The columns an event is built from when the row is read (a stream's first event, a resync). */
export const POST_EVENT_COLUMNS = [
  'id',
  'task_id',
  'account_id',
  'status',
  'public_url',
  'public_post_ids',
  'fail_reason',
  'privacy_level',
  'sandbox_forced_private',
  'taken_down_at',
  'updated_at',
  'event_seq',
] as const;

export type PostEventRow = Pick<TikTokPost, (typeof POST_EVENT_COLUMNS)[number]>;

export function postEventFromRow(row: PostEventRow): PostEvent {
  const words = describePostState({ ...row, publicPostCount: row.public_post_ids.length });
  return {
    postId: row.id,
    taskId: row.task_id,
    accountId: row.account_id,
    status: words.status,
    publicUrl: row.public_url,
    failReason: words.failReason,
    message: words.message,
    hint: words.hint,
    takenDownAt: words.takenDownAt,
    at: row.updated_at,
    seq: row.event_seq,
  };
}

export function postEventFromNotification(note: PostNotification): PostEvent {
  const words = describePostState({
    status: note.status,
    fail_reason: note.failReason,
    privacy_level: note.privacyLevel,
    sandbox_forced_private: note.sandboxForcedPrivate,
    taken_down_at: note.takenDownAt,
    publicPostCount: note.publicPostCount ?? 0,
  });
  return {
    postId: note.postId,
    taskId: note.taskId,
    accountId: note.accountId,
    status: words.status,
    publicUrl: note.publicUrl,
    failReason: words.failReason,
    message: words.message,
    hint: words.hint,
    takenDownAt: words.takenDownAt,
    at: note.at,
    seq: note.seq,
  };
}

/** An event's id on both surfaces (tRPC's tracked id, SSE's `id:`): what a reconnect hands back. */
export function eventIdOf(event: Pick<PostEvent, 'postId' | 'seq'>): string {
  return `${event.postId}:${event.seq}`;
}

/** The last seq a watcher saw of this post; -1 (nothing seen) for an id of another post or one that is not ours. */
export function lastSeqFrom(lastEventId: string | null | undefined, postId: string): number {
  if (!lastEventId) return -1;
  const [id, seq] = lastEventId.split(':');
  const parsed = Number(seq);
  return id === postId && Number.isSafeInteger(parsed) && parsed >= 0 ? parsed : -1;
}

/**
 * A watch ends after a state nothing more follows by itself: published with its link, failed, cancelled. A draft in
 * the inbox, and a public post awaiting its link, keep the stream open.
 */
export function endsWatch(event: PostEvent): boolean {
  return (event.status === 'PUBLISHED' && event.publicUrl !== null) || event.status === 'FAILED' || event.status === 'CANCELLED';
}
