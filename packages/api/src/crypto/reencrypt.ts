import type { Database } from '@reelpost/db';
import { type Kysely, sql, type Transaction } from 'kysely';
import { TokenCodecError } from './fernet.js';
import type { TokenCodec } from './token-codec.js';

/** Every column that holds a Fernet token. A new sealed column must be added here, or rotation will miss it. */
export const SEALED_COLUMNS = [
  {
    table: 'instance_tiktok_credentials',
    key: 'id',
    columns: ['access_token_encrypted', 'refresh_token_encrypted'],
  },
  { table: 'tiktok_oauth_states', key: 'state_hash', columns: ['code_verifier_encrypted'] },
] as const satisfies readonly { table: keyof Database; key: string; columns: readonly string[] }[];

export type SealedTable = (typeof SEALED_COLUMNS)[number]['table'];

export interface SealedTableReport {
  table: SealedTable;
  rows: number;
  /** Values re-sealed with the newest key (or, in a dry run, that would be). */
  resealed: number;
  /** Values already sealed with the newest key: left alone. */
  alreadyCurrent: number;
  /** Values no configured key opens: left alone, and listed in `unreadableRows`. */
  unreadable: number;
}

export interface ReencryptReport {
  tables: SealedTableReport[];
  resealed: number;
  alreadyCurrent: number;
  unreadable: number;
  /** Which rows hold unreadable values (primary keys and column names only, never the values). */
  unreadableRows: { table: SealedTable; key: string; column: string; reason: TokenCodecError['reason'] }[];
}

export interface ReencryptOptions {
  db: Kysely<Database>;
  codec: TokenCodec;
  /** Rows locked and re-sealed per transaction; default 100. */
  batchSize?: number;
  /** How long a batch waits for a row another transaction holds (a token refresh) before it is retried; default 5 s. */
  lockTimeoutMs?: number;
  /** Count what would change, write nothing. */
  dryRun?: boolean;
  onBatch?: (progress: { table: SealedTable; rows: number; resealed: number }) => void;
}

const LOCK_NOT_AVAILABLE = '55P03';
const BATCH_ATTEMPTS = 3;

type Row = Record<string, string | null> & { pk: string };

/**
 * Re-seals every sealed column with the codec's newest key, while the servers keep running.
 *
 * Each batch is one short transaction that locks its rows (`FOR UPDATE`, in key order), re-seals the values a
 * previous key sealed, and commits. A row another transaction holds (a token refresh in flight) is waited for, up to
 * `lockTimeoutMs`, rather than skipped: rotation exists so that old keys can be removed afterwards, and a skipped row
 * would become unreadable then. A concurrent writer either committed before our lock (we re-seal its value) or waits
 * for our commit and then writes its own newest-key value: no update is lost. Already-current values are not written,
 * so running it again is harmless and should report nothing re-sealed. Timestamps (`updated_at`) are left alone: the
 * secrets did not change.
 */
export async function reencryptSealedColumns(options: ReencryptOptions): Promise<ReencryptReport> {
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive whole number');
  const lockTimeoutMs = options.lockTimeoutMs ?? 5_000;
  const report: ReencryptReport = { tables: [], resealed: 0, alreadyCurrent: 0, unreadable: 0, unreadableRows: [] };

  for (const spec of SEALED_COLUMNS) {
    const tableReport: SealedTableReport = { table: spec.table, rows: 0, resealed: 0, alreadyCurrent: 0, unreadable: 0 };
    report.tables.push(tableReport);
    let cursor: string | null = null;

    const runBatch = async (trx: Transaction<Database>) => {
      await sql`SELECT set_config('lock_timeout', ${`${lockTimeoutMs}ms`}, true)`.execute(trx);
      const { rows } = await sql<Row>`
        SELECT ${sql.ref(spec.key)}::text AS pk, ${sql.join(spec.columns.map((column) => sql.ref(column)))}
        FROM ${sql.table(spec.table)}
        ${cursor === null ? sql`` : sql`WHERE ${sql.ref(spec.key)} > ${cursor}`}
        ORDER BY ${sql.ref(spec.key)}
        LIMIT ${batchSize}
        ${options.dryRun ? sql`` : sql`FOR UPDATE`}
      `.execute(trx);
      const batch = { rows: rows.length, resealed: 0, alreadyCurrent: 0, unreadable: [] as ReencryptReport['unreadableRows'] };
      for (const row of rows) {
        const updates: Record<string, string> = {};
        for (const column of spec.columns) {
          const sealed = row[column];
          if (sealed === null || sealed === undefined) continue;
          try {
            if (options.codec.keyIndexOf(sealed) === 0) {
              batch.alreadyCurrent += 1;
            } else {
              updates[column] = options.codec.rotate(sealed);
              batch.resealed += 1;
            }
          } catch (error) {
            if (!(error instanceof TokenCodecError)) throw error;
            batch.unreadable.push({ table: spec.table, key: row.pk, column, reason: error.reason });
          }
        }
        if (!options.dryRun && Object.keys(updates).length > 0) {
          const assignments = Object.entries(updates).map(([column, value]) => sql`${sql.ref(column)} = ${value}`);
          await sql`UPDATE ${sql.table(spec.table)} SET ${sql.join(assignments)} WHERE ${sql.ref(spec.key)} = ${row.pk}`.execute(trx);
        }
      }
      return { batch, last: rows.at(-1)?.pk ?? null };
    };

    for (;;) {
      let outcome: Awaited<ReturnType<typeof runBatch>> | undefined;
      for (let attempt = 1; outcome === undefined; attempt += 1) {
        try {
          outcome = await options.db.transaction().execute(runBatch);
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          if (code !== LOCK_NOT_AVAILABLE) throw error;
          if (attempt >= BATCH_ATTEMPTS) {
            throw new Error(
              `Rows of ${spec.table} stayed locked by other transactions through ${BATCH_ATTEMPTS} waits of ${lockTimeoutMs} ms; ` +
                'nothing in that batch was changed. Run the command again: finished batches are not redone.',
              { cause: error },
            );
          }
        }
      }
      const { batch, last } = outcome;
      if (batch.rows === 0) break;
      tableReport.rows += batch.rows;
      tableReport.resealed += batch.resealed;
      tableReport.alreadyCurrent += batch.alreadyCurrent;
      tableReport.unreadable += batch.unreadable.length;
      report.unreadableRows.push(...batch.unreadable);
      options.onBatch?.({ table: spec.table, rows: batch.rows, resealed: batch.resealed });
      cursor = last;
      if (batch.rows < batchSize) break;
    }
    report.resealed += tableReport.resealed;
    report.alreadyCurrent += tableReport.alreadyCurrent;
    report.unreadable += tableReport.unreadable;
  }
  return report;
}
