import { type Kysely, sql } from 'kysely';

// Live status (issue 20): every change a watcher can see is announced on the `reelpost_post_events` channel by the
// database itself, so every writer (the state machine, SQL functions, a hand-run fix) is heard and no write path needs
// to remember to announce. `event_seq` counts a post's visible changes: a watcher that reconnects says which one it
// saw last and hears only what is newer. The notification carries the fields an event shows (all short), so a
// process fans it out without reading the row; a reader that missed notifications reads the row, which is the truth.
export const POST_EVENTS_CHANNEL = 'reelpost_post_events';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tiktok_posts')
    .addColumn('event_seq', 'bigint', (column) => column.notNull().defaultTo(0))
    .execute();
  await sql`
    CREATE FUNCTION tiktok_posts_bump_event_seq() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.event_seq := OLD.event_seq + 1;
      RETURN NEW;
    END $$`.execute(db);
  // Only what an event shows: polls touching last_checked_at or a lease are no event.
  await sql`
    CREATE TRIGGER tiktok_posts_event_seq BEFORE UPDATE ON tiktok_posts FOR EACH ROW
    WHEN (
      NEW.status IS DISTINCT FROM OLD.status
      OR NEW.public_url IS DISTINCT FROM OLD.public_url
      OR NEW.public_post_ids IS DISTINCT FROM OLD.public_post_ids
      OR NEW.fail_reason IS DISTINCT FROM OLD.fail_reason
      OR NEW.error_code IS DISTINCT FROM OLD.error_code
      OR NEW.taken_down_at IS DISTINCT FROM OLD.taken_down_at
    )
    EXECUTE FUNCTION tiktok_posts_bump_event_seq()`.execute(db);
  await sql`
    CREATE FUNCTION tiktok_posts_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify(${sql.lit(POST_EVENTS_CHANNEL)}, json_build_object(
        'postId', NEW.id, 'taskId', NEW.task_id, 'accountId', NEW.account_id, 'status', NEW.status, 'seq', NEW.event_seq,
        'publicUrl', NEW.public_url, 'publicPostCount', cardinality(NEW.public_post_ids), 'failReason', NEW.fail_reason,
        'privacyLevel', NEW.privacy_level, 'sandboxForcedPrivate', NEW.sandbox_forced_private,
        'takenDownAt', NEW.taken_down_at, 'at', NEW.updated_at
      )::text);
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER tiktok_posts_notify_insert AFTER INSERT ON tiktok_posts FOR EACH ROW
    EXECUTE FUNCTION tiktok_posts_notify_event()`.execute(db);
  await sql`
    CREATE TRIGGER tiktok_posts_notify_update AFTER UPDATE ON tiktok_posts FOR EACH ROW
    WHEN (NEW.event_seq <> OLD.event_seq)
    EXECUTE FUNCTION tiktok_posts_notify_event()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER tiktok_posts_notify_update ON tiktok_posts`.execute(db);
  await sql`DROP TRIGGER tiktok_posts_notify_insert ON tiktok_posts`.execute(db);
  await sql`DROP TRIGGER tiktok_posts_event_seq ON tiktok_posts`.execute(db);
  await sql`DROP FUNCTION tiktok_posts_notify_event()`.execute(db);
  await sql`DROP FUNCTION tiktok_posts_bump_event_seq()`.execute(db);
  await sql`ALTER TABLE tiktok_posts DROP COLUMN event_seq`.execute(db);
}
