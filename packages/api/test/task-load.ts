import type { Database } from '@reelpost/db';
import { type Kysely, sql } from 'kysely';

// A production-sized data set for tasks.detail and tasks.list, written by Postgres itself (generate_series), so
// 10,000 tasks with 20-step logs and 100,000 media rows take seconds. `pnpm bench` and the query-plan test use it.

export interface LoadSize {
  users: number;
  instancesPerUser: number;
  tasks: number;
  mediaPerTask: number;
  logSteps: number;
}

export const BENCH_SIZE: LoadSize = { users: 10, instancesPerUser: 2, tasks: 10_000, mediaPerTask: 10, logSteps: 20 };

export interface SeededTask {
  id: string;
  ownerId: string;
}

export async function seedTaskLoad(db: Kysely<Database>, size: LoadSize = BENCH_SIZE): Promise<SeededTask[]> {
  const id = `load-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  // The owners are demo users (sub `demo|<email>`): the benchmark signs them in at the demo server's `POST /dev/token`,
  // which mints tokens for that namespace only. Every row of this run is found by the prefix.
  const run = `demo|${id}`;
  await db.transaction().execute(async (tx) => {
    await sql`
      INSERT INTO users (sub, email)
      SELECT ${run} || '-' || g || '@example.com', ${id} || '-' || g || '@example.com' FROM generate_series(1, ${size.users}::int) g
    `.execute(tx);
    await sql`
      INSERT INTO instances (owner_id, name)
      SELECT u.id, 'Instance ' || n FROM users u CROSS JOIN generate_series(1, ${size.instancesPerUser}::int) n
      WHERE starts_with(u.sub, ${run})
    `.execute(tx);
    await sql`
      INSERT INTO instance_tiktok_credentials
        (instance_id, open_id, username, access_token_encrypted, refresh_token_encrypted, is_default)
      SELECT i.id, 'open-' || i.id, 'creator', 'gAAAA-access', 'gAAAA-refresh', true
      FROM instances i JOIN users u ON u.id = i.owner_id WHERE starts_with(u.sub, ${run})
    `.execute(tx);

    // Tasks spread over the instances, one a minute back from now; a quarter running or failed; logs in the shapes
    // agents write (objects with ISO or epoch timestamps, a { steps } wrapper, nested sub-steps).
    await sql`
      WITH inst AS (
        SELECT i.id, (row_number() OVER (ORDER BY i.id) - 1)::int AS idx, (count(*) OVER ())::int AS n
        FROM instances i JOIN users u ON u.id = i.owner_id WHERE starts_with(u.sub, ${run})
      ), numbered AS (
        SELECT g, now() - g * interval '1 minute' AS created_at FROM generate_series(1, ${size.tasks}::int) g
      )
      INSERT INTO instance_tasks
        (instance_id, type, status, title, input, output_data, execution_steps, error_message,
         started_at, completed_at, created_at, updated_at)
      SELECT
        inst.id,
        (ARRAY['video_generation', 'video_generation', 'image_generation', 'research_report'])[1 + g % 4],
        (ARRAY['completed', 'completed', 'completed', 'running', 'failed', 'completed', 'completed', 'pending'])[1 + g % 8],
        'Task ' || g,
        jsonb_build_object('prompt', 'Make a video about topic ' || g, 'style', 'energetic'),
        CASE WHEN g % 5 = 0 THEN jsonb_build_object('text', 'No video for this one')
             ELSE jsonb_build_object(
               'video_url', 'https://storage.example.com/renders/' || g || '.mp4',
               'media_type', 'video/mp4',
               'suggested_caption', 'Three things about topic ' || g || ' #learnontiktok',
               'duration', 20 + g % 40,
               'size', 1000000 + g * 17,
               'thumbnail', 'https://storage.example.com/renders/' || g || '.jpg') END,
        (SELECT CASE g % 4
           WHEN 3 THEN jsonb_build_object('run', g, 'steps', jsonb_agg(step ORDER BY s))
           ELSE jsonb_agg(step ORDER BY s) END
         FROM (
           SELECT s, CASE
             WHEN s % 7 = 0 THEN jsonb_build_object(
               'agent', 'Renderer', 'message', 'Rendering scene ' || s,
               'steps', jsonb_build_array('cut ' || s, jsonb_build_object('text', 'encoded', 'ts', extract(epoch FROM now())::bigint)))
             WHEN s % 2 = 0 THEN jsonb_build_object(
               'agent', (ARRAY['Planner', 'ScriptWriter', 'ImageGen', 'VoiceAgent', 'Renderer', 'Reviewer'])[1 + (s * 6 / ${size.logSteps}::int) % 6],
               'message', 'Step ' || s || ' of task ' || g || ': ' || repeat('did the thing carefully. ', 4),
               'timestamp', to_char(now() - (${size.logSteps}::int - s) * interval '5 seconds', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
               'level', 'info', 'status', 'completed')
             ELSE jsonb_build_object(
               'agent_name', (ARRAY['Planner', 'ScriptWriter', 'ImageGen', 'VoiceAgent', 'Renderer', 'Reviewer'])[1 + (s * 6 / ${size.logSteps}::int) % 6],
               'content', 'Working on step ' || s,
               'ts', (extract(epoch FROM now()) * 1000)::bigint - (${size.logSteps}::int - s) * 5000,
               'status', 'running') END AS step
           FROM generate_series(1, ${size.logSteps}::int) s
         ) steps),
        CASE WHEN g % 8 = 4 THEN 'The renderer ran out of memory' END,
        numbered.created_at + interval '5 seconds',
        CASE WHEN g % 8 NOT IN (3, 4, 7) THEN numbered.created_at + interval '50 seconds' END,
        numbered.created_at,
        numbered.created_at
      FROM numbered JOIN inst ON inst.idx = numbered.g % inst.n
    `.execute(tx);

    await sql`
      INSERT INTO instance_media (instance_id, task_id, url, mime_type, kind, size_bytes, name, created_at)
      SELECT t.instance_id, t.id,
        'https://cdn.example.com/media/' || t.id || '/' || m || (ARRAY['.png', '.mp4', '.mp3', '.pdf', ''])[1 + m % 5],
        (ARRAY['image/png', 'video/mp4', NULL, 'application/pdf', 'application/octet-stream'])[1 + m % 5],
        (ARRAY['image', 'video', 'audio', 'document', NULL])[1 + m % 5],
        1000 * m, CASE WHEN m % 2 = 0 THEN 'file ' || m END,
        t.created_at + m * interval '1 second'
      FROM instance_tasks t
      JOIN instances i ON i.id = t.instance_id JOIN users u ON u.id = i.owner_id
      CROSS JOIN generate_series(1, ${size.mediaPerTask}::int) m
      WHERE starts_with(u.sub, ${run})
    `.execute(tx);

    // A third of the completed tasks were posted.
    await sql`
      INSERT INTO tiktok_posts
        (task_id, account_id, requested_by, idempotency_key, request_fingerprint, mode, status, publish_id,
         post_info, video_url, privacy_level, public_url, created_at)
      SELECT t.id, a.id, i.owner_id, 'idem-' || t.id, 'fingerprint', 'direct',
        (ARRAY['PUBLISHED', 'PROCESSING', 'FAILED'])[1 + abs(hashtext(t.id::text)) % 3],
        'v_pub_' || t.id, '{"title": "A post"}', t.output_data ->> 'video_url', 'SELF_ONLY',
        'https://www.tiktok.com/@creator/video/' || abs(hashtext(t.id::text)), t.created_at + interval '2 minutes'
      FROM instance_tasks t
      JOIN instances i ON i.id = t.instance_id JOIN users u ON u.id = i.owner_id
      JOIN instance_tiktok_credentials a ON a.instance_id = i.id
      WHERE starts_with(u.sub, ${run}) AND t.status = 'completed' AND t.output_data ? 'video_url'
        AND abs(hashtext(t.id::text)) % 3 = 0
    `.execute(tx);
  });
  // Fresh statistics, as a production database has; the planner's choices depend on them.
  await sql`ANALYZE`.execute(db);

  return db
    .selectFrom('instance_tasks as t')
    .innerJoin('instances as i', 'i.id', 't.instance_id')
    .innerJoin('users as u', 'u.id', 'i.owner_id')
    .where(sql<boolean>`starts_with(u.sub, ${run})`)
    .select(['t.id', 'i.owner_id as ownerId'])
    .orderBy('t.created_at', 'desc')
    .execute();
}
