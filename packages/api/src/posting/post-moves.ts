import type { PostStatus, TikTokPost, TikTokPostUpdate } from '@reelpost/db';

/** A column a move writes besides `status` and `updated_at` (which every move writes). */
export type PostColumn = Exclude<keyof TikTokPostUpdate, 'id' | 'status' | 'updated_at'>;

/** One move of a post's status: where it may start, where it ends, what it records and what makes it happen. */
export interface PostMove {
  /** The statuses a post may leave by this move; none: the move creates the post. */
  readonly from: readonly PostStatus[];
  readonly to: PostStatus;
  /** The columns the move must write (the writer's type demands them). */
  readonly records: readonly PostColumn[];
  /** A FAILED post makes this move only when it failed for this reason: a failure we declared ourselves. */
  readonly fromFailedOnlyFor?: string;
  /** What makes it happen, as the diagram labels the edge. */
  readonly when: string;
}

/** What a new attempt resets on a row reused after a failure, a cancel or an unknown outcome. */
const FRESH_ATTEMPT = [
  'source', 'tiktok_status', 'publish_id', 'fail_reason', 'error_code', 'error_log_id', 'public_post_ids', 'public_url',
  'uploaded_bytes', 'downloaded_bytes', 'next_check_at', 'last_checked_at', 'check_deadline_at', 'initiated_at',
  'finished_at', 'lease_until', 'upload_url_encrypted', 'upload_chunk_size', 'video_size_bytes', 'upload_completed_at',
] as const satisfies readonly PostColumn[];

/** What TikTok's news (a status poll or a webhook) records when it moves a post. */
const TIKTOK_NEWS = [
  'tiktok_status', 'fail_reason', 'error_code', 'public_post_ids', 'public_url', 'uploaded_bytes', 'downloaded_bytes',
  'next_check_at', 'finished_at', 'taken_down_at',
] as const satisfies readonly PostColumn[];

/** A timeout is our own verdict: TikTok's later news about the post still applies. */
const REVIVABLE_FAILURE = 'processing_timeout';

/**
 * Every move a post's status can make: the only statuses written are these, by post-state.ts, each as an update
 * guarded by `from`. Moves that start from several statuses say why in a comment; docs/api.md's diagram is drawn
 * from this table (post-state-diagram.test.ts checks it).
 */
export const POST_MOVES = {
  reserve: { from: [], to: 'RESERVED', records: [], when: 'tiktok.post' },
  schedule: { from: [], to: 'SCHEDULED', records: ['scheduled_at'], when: 'tiktok.post with scheduledAt' },
  // A post that ended without posting (or whose outcome is unknown, with a new idempotency key) is tried again on its row.
  reserveAgain: { from: ['FAILED', 'CANCELLED', 'UNKNOWN'], to: 'RESERVED', records: FRESH_ATTEMPT, when: 'tiktok.post again' },
  scheduleAgain: {
    from: ['FAILED', 'CANCELLED', 'UNKNOWN'],
    to: 'SCHEDULED',
    records: ['scheduled_at', ...FRESH_ATTEMPT],
    when: 'tiktok.post again with scheduledAt',
  },
  release: { from: ['SCHEDULED'], to: 'RESERVED', records: [], when: 'its time came' },
  cancel: { from: ['SCHEDULED'], to: 'CANCELLED', records: ['finished_at'], when: 'tiktok.cancel' },
  // UNKNOWN: the sweep took an init in flight past its lease for lost, and then TikTok's answer arrived after all.
  refuse: {
    from: ['RESERVED', 'UNKNOWN'],
    to: 'FAILED',
    records: ['fail_reason', 'error_code', 'error_log_id', 'lease_until', 'finished_at'],
    when: 'refused before or at the init',
  },
  // UNKNOWN as for refuse; PROCESSING: a webhook adopted the init before its answer was recorded.
  accept: {
    from: ['RESERVED', 'UNKNOWN', 'PROCESSING'],
    to: 'PROCESSING',
    records: ['publish_id', 'source', 'tiktok_status', 'lease_until', 'next_check_at', 'check_deadline_at'],
    when: 'init accepted',
  },
  // UNKNOWN: the sweep got there first; the init's own error is still worth keeping.
  loseAnswer: {
    from: ['RESERVED', 'UNKNOWN'],
    to: 'UNKNOWN',
    records: ['fail_reason', 'error_code', 'error_log_id', 'lease_until'],
    when: 'init answer lost',
  },
  loseWorker: { from: ['RESERVED'], to: 'UNKNOWN', records: ['fail_reason', 'lease_until'], when: 'the sweep finds the init sent and its worker gone' },
  adopt: {
    from: ['RESERVED', 'UNKNOWN'],
    to: 'PROCESSING',
    records: ['publish_id', 'fail_reason', 'error_code', 'lease_until'],
    when: 'a webhook names the lost init',
  },
  notReceived: {
    from: ['PROCESSING'],
    to: 'FAILED',
    records: ['fail_reason', 'error_code', 'error_log_id', 'next_check_at', 'finished_at'],
    when: 'status fetch says invalid_publish_id',
  },
  statusUnreadable: {
    from: ['PROCESSING'],
    to: 'UNKNOWN',
    records: ['fail_reason', 'error_code', 'error_log_id', 'next_check_at', 'finished_at'],
    when: 'status fetch says the token may not read it',
  },
  timeOut: { from: ['PROCESSING'], to: 'FAILED', records: ['fail_reason', 'next_check_at', 'finished_at'], when: 'processing deadline passed' },
  tiktokProcessing: {
    from: ['UNKNOWN', 'FAILED'],
    to: 'PROCESSING',
    records: TIKTOK_NEWS,
    fromFailedOnlyFor: REVIVABLE_FAILURE,
    when: 'TikTok says processing',
  },
  tiktokInInbox: {
    from: ['PROCESSING', 'UNKNOWN', 'FAILED'],
    to: 'SENT_TO_INBOX',
    records: TIKTOK_NEWS,
    fromFailedOnlyFor: REVIVABLE_FAILURE,
    when: 'TikTok says in the inbox',
  },
  tiktokPublished: {
    from: ['PROCESSING', 'SENT_TO_INBOX', 'UNKNOWN', 'FAILED'],
    to: 'PUBLISHED',
    records: TIKTOK_NEWS,
    fromFailedOnlyFor: REVIVABLE_FAILURE,
    when: 'TikTok says published',
  },
  tiktokFailed: { from: ['PROCESSING', 'SENT_TO_INBOX', 'UNKNOWN'], to: 'FAILED', records: TIKTOK_NEWS, when: 'TikTok says failed' },
} as const satisfies Record<string, PostMove>;

export type PostMoveName = keyof typeof POST_MOVES;

/** The moves that create a post, with its first status. */
export type PostCreation = { [M in PostMoveName]: (typeof POST_MOVES)[M]['from'] extends readonly [] ? M : never }[PostMoveName];

/** The columns move M must write. */
export type RecordsOf<M extends PostMoveName> = (typeof POST_MOVES)[M]['records'][number];

/** The moves TikTok's news makes a post take. */
export type TikTokMoveName = (typeof TIKTOK_MOVES)[keyof typeof TIKTOK_MOVES];

/** The status TikTok's news leads to, and the move that takes a post there. */
export const TIKTOK_MOVES = {
  PROCESSING: 'tiktokProcessing',
  SENT_TO_INBOX: 'tiktokInInbox',
  PUBLISHED: 'tiktokPublished',
  FAILED: 'tiktokFailed',
} as const satisfies Partial<Record<PostStatus, PostMoveName>>;

/** A move's table entry, as the general shape (for code that reads any move). */
export function postMove(name: PostMoveName): PostMove {
  return POST_MOVES[name];
}

/** Whether the post, as it stands, may make the move: the guard's condition, for code that decides before writing. */
export function mayMove(name: PostMoveName, post: Pick<TikTokPost, 'status' | 'fail_reason'>): boolean {
  const move = postMove(name);
  if (!move.from.includes(post.status)) return false;
  return post.status !== 'FAILED' || move.fromFailedOnlyFor === undefined || post.fail_reason === move.fromFailedOnlyFor;
}

/** The moves as the table lists them, typed for code that walks all of them (the diagram, the tests). */
export function allPostMoves(): [PostMoveName, PostMove][] {
  return (Object.keys(POST_MOVES) as PostMoveName[]).map((name) => [name, postMove(name)]);
}

/**
 * The table as the edges of docs/api.md's mermaid diagram: `FROM --> TO: when`, `[*]` for a new post, and a FAILED
 * that only one failure leaves named so (post-moves-diagram.test.ts checks the document draws exactly these).
 */
export function diagramEdges(): string[] {
  return allPostMoves().flatMap(([, move]) => {
    if (move.from.length === 0) return [`[*] --> ${move.to}: ${move.when}`];
    return move.from.map((from) => {
      const only = from === 'FAILED' && move.fromFailedOnlyFor !== undefined ? ` (after ${move.fromFailedOnlyFor} only)` : '';
      return `${from} --> ${move.to}: ${move.when}${only}`;
    });
  });
}
