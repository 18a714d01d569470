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
  /** Rows other transactions kept locked through every wait: not visited; run again. Listed in `lockedRows`. */
  locked: number;
}

export interface ReencryptReport {
  tables: SealedTableReport[];
  resealed: number;
  alreadyCurrent: number;
  unreadable: number;
  locked: number;
  /** Which rows hold unreadable values (primary keys and column names only, never the values). */
  unreadableRows: { table: SealedTable; key: string; column: string; reason: TokenCodecError['reason'] }[];
  lockedRows: { table: SealedTable; key: string }[];
}

export interface ReencryptOptions {
  db: Kysely<Database>;
  codec: TokenCodec;
  /** Rows locked and re-sealed per transaction; default 100. */
  batchSize?: number;
  /** How long to wait for a row another transaction holds (a token refresh), per attempt (3); default 5 s. */
  lockTimeoutMs?: number;
  /** Count what would change, write nothing. */
  dryRun?: boolean;
  onBatch?: (progress: { table: SealedTable; rows: number; resealed: number }) => void;
}

const LOCK_NOT_AVAILABLE = '55P03';
const LOCK_ATTEMPTS = 3;

type Spec = (typeof SEALED_COLUMNS)[number];
type Row = Record<string, string | null> & { pk: string };
interface Tally {
  rows: number;
  resealed: number;
  alreadyCurrent: number;
  unreadable: ReencryptReport['unreadableRows'];
}

/**
 * Re-seals every sealed column with the codec's newest key, while the servers keep running.
 *
 * A table is walked in primary-key order. Each batch is one short transaction that locks its rows with
 * `FOR UPDATE SKIP LOCKED`, re-seals the values a previous key sealed, and commits; it never waits, so it never makes
 * a token refresh wait behind it for long. A row it skipped (a refresh holds it) is then taken on its own, waiting up
 * to `lockTimeoutMs` (three times): skipping it for good would leave it under the old key, unreadable once that key is
 * dropped. A concurrent writer either committed before our lock (we re-seal its value) or waits for our commit and
 * then writes its own newest-key value: no update is lost. Already-current values are not written, so running it
 * again is harmless and should report nothing re-sealed. `updated_at` is left alone: the secrets did not change.
 */
export async function reencryptSealedColumns(options: ReencryptOptions): Promise<ReencryptReport> {
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive whole number');
  const lockTimeoutMs = options.lockTimeoutMs ?? 5_000;
  const { db, codec, dryRun = false } = options;
  const report: ReencryptReport = {
    tables: [],
    resealed: 0,
    alreadyCurrent: 0,
    unreadable: 0,
    locked: 0,
    unreadableRows: [],
    lockedRows: [],
  };

  /** Re-seals the locked rows' values in place; counts what it saw. */
  async function resealRows(trx: Transaction<Database>, spec: Spec, rows: Row[], tally: Tally): Promise<void> {
    for (const row of rows) {
      tally.rows += 1;
      const updates: [string, string][] = [];
      for (const column of spec.columns) {
        const sealed = row[column];
        if (sealed === null || sealed === undefined) continue;
        try {
          if (codec.keyIndexOf(sealed) === 0) {
            tally.alreadyCurrent += 1;
          } else {
            updates.push([column, codec.rotate(sealed)]);
            tally.resealed += 1;
          }
        } catch (error) {
          if (!(error instanceof TokenCodecError)) throw error;
          tally.unreadable.push({ table: spec.table, key: row.pk, column, reason: error.reason });
        }
      }
      if (!dryRun && updates.length > 0) {
        const assignments = updates.map(([column, value]) => sql`${sql.ref(column)} = ${value}`);
        await sql`UPDATE ${sql.table(spec.table)} SET ${sql.join(assignments)} WHERE ${sql.ref(spec.key)} = ${row.pk}`.execute(trx);
      }
    }
  }

  /** The next batch's keys after `cursor`, read without locks; the batch then locks whichever of them nobody holds. */
  async function nextKeys(spec: Spec, cursor: string | null): Promise<string[]> {
    const { rows } = await sql<{ pk: string }>`
      SELECT ${sql.ref(spec.key)}::text AS pk FROM ${sql.table(spec.table)}
      ${cursor === null ? sql`` : sql`WHERE ${sql.ref(spec.key)} > ${cursor}`}
      ORDER BY ${sql.ref(spec.key)}
      LIMIT ${batchSize}
    `.execute(db);
    return rows.map((row) => row.pk);
  }

  const selectSealed = (spec: Spec) =>
    sql`SELECT ${sql.ref(spec.key)}::text AS pk, ${sql.join(spec.columns.map((column) => sql.ref(column)))} FROM ${sql.table(spec.table)}`;

  /** One batch: the rows between two keys that nobody holds, locked without waiting. Returns the keys it visited. */
  async function resealBatch(spec: Spec, first: string, last: string, tally: Tally): Promise<Set<string>> {
    return db.transaction().execute(async (trx) => {
      const { rows } = await sql<Row>`
        ${selectSealed(spec)}
        WHERE ${sql.ref(spec.key)} >= ${first} AND ${sql.ref(spec.key)} <= ${last}
        ORDER BY ${sql.ref(spec.key)}
        ${dryRun ? sql`` : sql`FOR UPDATE SKIP LOCKED`}
      `.execute(trx);
      await resealRows(trx, spec, rows, tally);
      return new Set(rows.map((row) => row.pk));
    });
  }

  /** A row a batch skipped: locked on its own, waiting for its holder. False when it stayed locked. */
  async function resealBusyRow(spec: Spec, key: string, tally: Tally): Promise<boolean> {
    for (let attempt = 1; attempt <= LOCK_ATTEMPTS; attempt += 1) {
      const attemptTally: Tally = { rows: 0, resealed: 0, alreadyCurrent: 0, unreadable: [] };
      try {
        await db.transaction().execute(async (trx) => {
          await sql`SELECT set_config('lock_timeout', ${`${lockTimeoutMs}ms`}, true)`.execute(trx);
          const { rows } = await sql<Row>`${selectSealed(spec)} WHERE ${sql.ref(spec.key)} = ${key} FOR UPDATE`.execute(trx);
          await resealRows(trx, spec, rows, attemptTally);
        });
      } catch (error) {
        if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) continue;
        throw error;
      }
      tally.rows += attemptTally.rows;
      tally.resealed += attemptTally.resealed;
      tally.alreadyCurrent += attemptTally.alreadyCurrent;
      tally.unreadable.push(...attemptTally.unreadable);
      return true;
    }
    return false;
  }

  for (const spec of SEALED_COLUMNS) {
    const tableReport: SealedTableReport = { table: spec.table, rows: 0, resealed: 0, alreadyCurrent: 0, unreadable: 0, locked: 0 };
    report.tables.push(tableReport);
    let cursor: string | null = null;
    for (;;) {
      const candidates = await nextKeys(spec, cursor);
      const first = candidates[0];
      const last = candidates.at(-1);
      if (first === undefined || last === undefined) break;

      const tally: Tally = { rows: 0, resealed: 0, alreadyCurrent: 0, unreadable: [] };
      const visited = await resealBatch(spec, first, last, tally);
      for (const pk of candidates) {
        if (visited.has(pk)) continue;
        if (!(await resealBusyRow(spec, pk, tally))) {
          tableReport.locked += 1;
          report.lockedRows.push({ table: spec.table, key: pk });
        }
      }
      tableReport.rows += tally.rows;
      tableReport.resealed += tally.resealed;
      tableReport.alreadyCurrent += tally.alreadyCurrent;
      tableReport.unreadable += tally.unreadable.length;
      report.unreadableRows.push(...tally.unreadable);
      options.onBatch?.({ table: spec.table, rows: tally.rows, resealed: tally.resealed });
      cursor = last;
      if (candidates.length < batchSize) break;
    }
    report.resealed += tableReport.resealed;
    report.alreadyCurrent += tableReport.alreadyCurrent;
    report.unreadable += tableReport.unreadable;
    report.locked += tableReport.locked;
  }
  return report;
}
