import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

// The one source of the database's types. Every table has an interface here; row shapes are derived with
// Selectable / Insertable / Updateable, never written again by hand.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** JSONB is read back parsed, but written as a JSON string: node-postgres would turn a JS array into a Postgres array. */
export type Json = ColumnType<JsonValue, string, string>;
export type NullableJson = ColumnType<JsonValue | null, string | null | undefined, string | null>;

/** timestamptz: node-postgres reads Date; we write Date or ISO strings. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export const TASK_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const MEDIA_KINDS = ['image', 'video', 'audio', 'document', 'other'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export const ACCOUNT_STATES = ['active', 'needs_reauth', 'revoked'] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

/**
 * The contract's six post statuses, plus two the database needs and the API never shows as such:
 * RESERVED (the row exists, TikTok has not been called yet) and UNKNOWN (an init may or may not have reached TikTok).
 */
export const POST_STATUSES = [
  'RESERVED',
  'SCHEDULED',
  'PROCESSING',
  'SENT_TO_INBOX',
  'PUBLISHED',
  'FAILED',
  'CANCELLED',
  'UNKNOWN',
] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

export const POST_MODES = ['direct', 'inbox'] as const;
export type PostMode = (typeof POST_MODES)[number];

/** What a post carries: a video, or a carousel of 1–35 images (TikTok's photo posts). */
export const POST_MEDIA_TYPES = ['VIDEO', 'PHOTO'] as const;
export type PostMediaType = (typeof POST_MEDIA_TYPES)[number];

export const POST_SOURCES = ['PULL_FROM_URL', 'FILE_UPLOAD'] as const;
export type PostSource = (typeof POST_SOURCES)[number];

export interface UsersTable {
  id: Generated<string>;
  sub: string;
  email: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface InstancesTable {
  id: Generated<string>;
  owner_id: string;
  name: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface InstanceTasksTable {
  id: Generated<string>;
  instance_id: string;
  type: string;
  status: TaskStatus;
  title: string | null;
  input: NullableJson;
  output_data: NullableJson;
  execution_steps: NullableJson;
  error_message: string | null;
  started_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  /** The tiktok_* columns mirror the task's latest post; the frontend already reads them under these names. */
  tiktok_post_data: NullableJson;
  tiktok_publish_id: string | null;
  tiktok_post_status: string | null;
  tiktok_post_url: string | null;
  tiktok_fail_reason: string | null;
  tiktok_last_checked_at: NullableTimestamp;
  scheduled_post_time: NullableTimestamp;
}

export interface InstanceMediaTable {
  id: Generated<string>;
  instance_id: string;
  task_id: string | null;
  url: string;
  mime_type: string | null;
  kind: MediaKind | null;
  size_bytes: number | null;
  name: string | null;
  created_at: CreatedAt;
}

export interface InstanceTikTokCredentialsTable {
  id: Generated<string>;
  instance_id: string;
  open_id: string;
  union_id: string | null;
  username: string | null;
  display_name: string | null;
  avatar_url: string | null;
  scopes: ColumnType<string[], string[] | undefined, string[]>;
  /** Fernet tokens (see the api package's crypto); never the plain TikTok tokens. */
  access_token_encrypted: string | null;
  refresh_token_encrypted: string | null;
  access_token_expires_at: NullableTimestamp;
  refresh_token_expires_at: NullableTimestamp;
  state: ColumnType<AccountState, AccountState | undefined, AccountState>;
  is_default: ColumnType<boolean, boolean | undefined, boolean>;
  last_used_at: NullableTimestamp;
  connected_at: ColumnType<Date, Date | string | undefined, Date | string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface TikTokPostsTable {
  id: Generated<string>;
  task_id: string;
  account_id: string;
  requested_by: string;
  idempotency_key: string;
  /** A hash of the post's parameters: the same request repeated matches it, a different one does not. */
  request_fingerprint: string;
  mode: PostMode;
  source: PostSource | null;
  status: PostStatus;
  tiktok_status: string | null;
  publish_id: string | null;
  post_info: Json;
  media_type: ColumnType<PostMediaType, PostMediaType | undefined, PostMediaType>;
  /** Null for photo posts. */
  video_url: string | null;
  /** Photo posts: the images in order, as TikTok was given them; null for videos. */
  photo_urls: string[] | null;
  privacy_level: string;
  sandbox_forced_private: ColumnType<boolean, boolean | undefined, boolean>;
  fail_reason: string | null;
  error_code: string | null;
  error_log_id: string | null;
  public_post_ids: ColumnType<string[], string[] | undefined, string[]>;
  public_url: string | null;
  uploaded_bytes: number | null;
  downloaded_bytes: number | null;
  scheduled_at: NullableTimestamp;
  attempts: ColumnType<number, number | undefined, number>;
  next_check_at: NullableTimestamp;
  last_checked_at: NullableTimestamp;
  check_deadline_at: NullableTimestamp;
  /** Set just before the init is sent: from then on the post may exist at TikTok. */
  initiated_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  /** While in the future, one worker is publishing (or uploading) this post; others keep off. */
  lease_until: NullableTimestamp;
  upload_url_encrypted: string | null;
  upload_chunk_size: number | null;
  video_size_bytes: number | null;
  upload_completed_at: NullableTimestamp;
  /** TikTok said the published post is no longer publicly available (taken down or made private). */
  taken_down_at: NullableTimestamp;
  /** Counts the changes a watcher sees (status, link, failure, take-down); bumped by a trigger, never written by us. */
  event_seq: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface TikTokOAuthStatesTable {
  /** SHA-256 of the state sent to TikTok; the state itself is never stored. */
  state_hash: string;
  user_id: string;
  instance_id: string;
  /** Fernet-encrypted PKCE verifier. */
  code_verifier_encrypted: string;
  redirect_to: string | null;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface TikTokApiCallsTable {
  id: Generated<number>;
  account_id: string;
  endpoint: string;
  called_at: CreatedAt;
}

export interface TikTokWebhookEventsTable {
  event_key: string;
  event: string;
  user_open_id: string | null;
  publish_id: string | null;
  payload: Json;
  outcome: string | null;
  received_at: CreatedAt;
}

export interface Database {
  users: UsersTable;
  instances: InstancesTable;
  instance_tasks: InstanceTasksTable;
  instance_media: InstanceMediaTable;
  instance_tiktok_credentials: InstanceTikTokCredentialsTable;
  tiktok_posts: TikTokPostsTable;
  tiktok_oauth_states: TikTokOAuthStatesTable;
  tiktok_api_calls: TikTokApiCallsTable;
  tiktok_webhook_events: TikTokWebhookEventsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Instance = Selectable<InstancesTable>;
export type NewInstance = Insertable<InstancesTable>;
export type Task = Selectable<InstanceTasksTable>;
export type NewTask = Insertable<InstanceTasksTable>;
export type TaskUpdate = Updateable<InstanceTasksTable>;
export type Media = Selectable<InstanceMediaTable>;
export type NewMedia = Insertable<InstanceMediaTable>;
export type TikTokAccount = Selectable<InstanceTikTokCredentialsTable>;
export type NewTikTokAccount = Insertable<InstanceTikTokCredentialsTable>;
export type TikTokAccountUpdate = Updateable<InstanceTikTokCredentialsTable>;
export type TikTokPost = Selectable<TikTokPostsTable>;
export type NewTikTokPost = Insertable<TikTokPostsTable>;
export type TikTokPostUpdate = Updateable<TikTokPostsTable>;
export type TikTokOAuthState = Selectable<TikTokOAuthStatesTable>;
