import { type Kysely, sql } from 'kysely';
import { ACCOUNT_STATES, MEDIA_KINDS, POST_MODES, POST_SOURCES, POST_STATUSES, TASK_STATUSES } from '../schema.js';

// Migrations take Kysely<unknown>: they describe the schema at their own point in time, not today's types.

const oneOf = (column: string, values: readonly string[]) =>
  sql.raw(`${column} IN (${values.map((value) => `'${value}'`).join(', ')})`);

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('sub', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('users_email_idx').on('users').column('email').execute();

  await db.schema
    .createTable('instances')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('owner_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('instances_owner_idx').on('instances').columns(['owner_id', 'created_at']).execute();

  await db.schema
    .createTable('instance_tasks')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('instance_id', 'uuid', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('title', 'text')
    .addColumn('input', 'jsonb')
    .addColumn('output_data', 'jsonb')
    .addColumn('execution_steps', 'jsonb')
    .addColumn('error_message', 'text')
    .addColumn('started_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('tiktok_post_data', 'jsonb')
    .addColumn('tiktok_publish_id', 'varchar(255)')
    .addColumn('tiktok_post_status', 'varchar(50)')
    .addColumn('tiktok_post_url', 'varchar(500)')
    .addColumn('tiktok_fail_reason', 'text')
    .addColumn('tiktok_last_checked_at', 'timestamptz')
    .addColumn('scheduled_post_time', 'timestamptz')
    .addCheckConstraint('instance_tasks_status_check', oneOf('status', TASK_STATUSES))
    .execute();
  // tasks.list pages through an instance's tasks newest first, keyset on (created_at, id).
  await db.schema
    .createIndex('instance_tasks_instance_created_idx')
    .on('instance_tasks')
    .expression(sql`instance_id, created_at DESC, id DESC`)
    .execute();

  await db.schema
    .createTable('instance_media')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('instance_id', 'uuid', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('task_id', 'uuid', (c) => c.references('instance_tasks.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text')
    .addColumn('kind', 'text')
    .addColumn('size_bytes', 'bigint', (c) => c.check(sql`size_bytes >= 0`))
    .addColumn('name', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('instance_media_kind_check', sql`kind IS NULL OR ${oneOf('kind', MEDIA_KINDS)}`)
    .execute();
  await db.schema
    .createIndex('instance_media_task_idx')
    .on('instance_media')
    .columns(['task_id', 'created_at'])
    .where(sql.ref('task_id'), 'is not', null)
    .execute();
  await db.schema.createIndex('instance_media_instance_idx').on('instance_media').column('instance_id').execute();

  await db.schema
    .createTable('instance_tiktok_credentials')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('instance_id', 'uuid', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('open_id', 'text', (c) => c.notNull())
    .addColumn('union_id', 'text')
    .addColumn('username', 'text')
    .addColumn('display_name', 'text')
    .addColumn('avatar_url', 'text')
    .addColumn('scopes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('access_token_encrypted', 'text')
    .addColumn('refresh_token_encrypted', 'text')
    .addColumn('access_token_expires_at', 'timestamptz')
    .addColumn('refresh_token_expires_at', 'timestamptz')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('connected_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('instance_tiktok_credentials_state_check', oneOf('state', ACCOUNT_STATES))
    // An active account always has tokens to use; revoked ones have had theirs wiped.
    .addCheckConstraint(
      'instance_tiktok_credentials_active_has_tokens',
      sql`state <> 'active' OR (access_token_encrypted IS NOT NULL AND refresh_token_encrypted IS NOT NULL)`,
    )
    .addUniqueConstraint('instance_tiktok_credentials_instance_open_id_key', ['instance_id', 'open_id'])
    .execute();
  await db.schema
    .createIndex('instance_tiktok_credentials_one_default')
    .on('instance_tiktok_credentials')
    .column('instance_id')
    .unique()
    .where(sql.ref('is_default'), '=', true)
    .execute();
  // The proactive refresher looks for active accounts whose access token is about to expire.
  await db.schema
    .createIndex('instance_tiktok_credentials_expiry_idx')
    .on('instance_tiktok_credentials')
    .column('access_token_expires_at')
    .where(sql.ref('state'), '=', 'active')
    .execute();

  await db.schema
    .createTable('tiktok_posts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('task_id', 'uuid', (c) => c.notNull().references('instance_tasks.id').onDelete('cascade'))
    // Accounts are never deleted while they have posts: disconnecting keeps the history.
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('instance_tiktok_credentials.id').onDelete('restrict'))
    .addColumn('requested_by', 'uuid', (c) => c.notNull().references('users.id').onDelete('restrict'))
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('request_fingerprint', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('tiktok_status', 'text')
    .addColumn('publish_id', 'varchar(255)', (c) => c.unique())
    .addColumn('post_info', 'jsonb', (c) => c.notNull())
    .addColumn('video_url', 'text', (c) => c.notNull())
    .addColumn('privacy_level', 'text', (c) => c.notNull())
    .addColumn('sandbox_forced_private', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('fail_reason', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_log_id', 'text')
    .addColumn('public_post_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('public_url', 'varchar(500)')
    .addColumn('uploaded_bytes', 'bigint')
    .addColumn('downloaded_bytes', 'bigint')
    .addColumn('scheduled_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0).check(sql`attempts >= 0`))
    .addColumn('next_check_at', 'timestamptz')
    .addColumn('last_checked_at', 'timestamptz')
    .addColumn('check_deadline_at', 'timestamptz')
    .addColumn('initiated_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('tiktok_posts_status_check', oneOf('status', POST_STATUSES))
    .addCheckConstraint('tiktok_posts_mode_check', oneOf('mode', POST_MODES))
    .addCheckConstraint('tiktok_posts_source_check', sql`source IS NULL OR ${oneOf('source', POST_SOURCES)}`)
    .addCheckConstraint('tiktok_posts_scheduled_has_time', sql`status <> 'SCHEDULED' OR scheduled_at IS NOT NULL`)
    // The exactly-once invariant: one publish of a task per account, whatever retries or workers do.
    .addUniqueConstraint('tiktok_posts_task_account_key', ['task_id', 'account_id'])
    .execute();
  await db.schema.createIndex('tiktok_posts_task_created_idx').on('tiktok_posts').columns(['task_id', 'created_at']).execute();
  await db.schema.createIndex('tiktok_posts_account_idx').on('tiktok_posts').columns(['account_id', 'created_at']).execute();
  // The poller finds in-flight posts due for a status check.
  await db.schema
    .createIndex('tiktok_posts_due_check_idx')
    .on('tiktok_posts')
    .column('next_check_at')
    .where(sql.ref('status'), 'in', ['PROCESSING', 'UNKNOWN'])
    .execute();

  await db.schema
    .createTable('tiktok_oauth_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('instance_id', 'uuid', (c) => c.notNull().references('instances.id').onDelete('cascade'))
    .addColumn('code_verifier_encrypted', 'text', (c) => c.notNull())
    .addColumn('redirect_to', 'text')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('tiktok_oauth_states_expires_idx').on('tiktok_oauth_states').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'tiktok_oauth_states',
    'tiktok_posts',
    'instance_tiktok_credentials',
    'instance_media',
    'instance_tasks',
    'instances',
    'users',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
