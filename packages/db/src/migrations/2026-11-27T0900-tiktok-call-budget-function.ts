import { type Kysely, sql } from 'kysely';

// The shared TikTok call budget as one round trip: the advisory lock, the pruning of calls that left the window,
// the count and the logging of the new call happen inside one function call instead of six statements of a
// transaction (it runs twice for every post). Inside a VOLATILE function every statement takes a fresh snapshot, so
// the count after the lock sees every call committed by whoever held the lock before — as the transaction did.
// The lock key is the one the transaction used, so old and new processes share it during a deploy.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION take_tiktok_call(p_account uuid, p_endpoint text, p_limit int, p_window interval)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    AS $$
    DECLARE
      v_count int;
      v_oldest timestamptz;
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtextextended(p_account::text || ':' || p_endpoint, 0));
      DELETE FROM tiktok_api_calls
        WHERE account_id = p_account AND endpoint = p_endpoint AND called_at <= clock_timestamp() - p_window;
      SELECT count(*), min(called_at) INTO v_count, v_oldest
        FROM tiktok_api_calls WHERE account_id = p_account AND endpoint = p_endpoint;
      IF v_count >= p_limit THEN
        -- Refused: milliseconds until the oldest call leaves the window (at least 1).
        RETURN greatest(1, ceil(extract(epoch FROM (v_oldest + p_window - clock_timestamp())) * 1000))::bigint;
      END IF;
      INSERT INTO tiktok_api_calls (account_id, endpoint, called_at) VALUES (p_account, p_endpoint, clock_timestamp());
      RETURN 0;
    END
    $$
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION take_tiktok_call(uuid, text, int, interval)`.execute(db);
}
