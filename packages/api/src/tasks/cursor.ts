import { z } from 'zod';
import { parseIsoTimestamp } from './timestamps.js';

// tasks.list's keyset cursor: the (created_at, id) of the last task on a page, as base64url JSON. It is opaque to
// callers but not trusted: anything that is not exactly what encodeTaskCursor writes is rejected before it can
// reach SQL, so a forged cursor is a 400, never a database error.

/** created_at to the microsecond, as Postgres keeps it; a JS Date would drop the microseconds and skip rows. */
const EXACT_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const cursorPayloadSchema = z.strictObject({
  v: z.literal(1),
  t: z.string().regex(EXACT_UTC).refine((text) => parseIsoTimestamp(text) !== null),
  id: z.uuid(),
});

export interface TaskCursor {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ`, UTC. */
  createdAt: string;
  id: string;
}

export function encodeTaskCursor(cursor: TaskCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, t: cursor.createdAt, id: cursor.id })).toString('base64url');
}

export function decodeTaskCursor(text: string): TaskCursor | null {
  // Node's base64 decoder skips characters it does not know; requiring the canonical encoding back rejects them.
  const json = Buffer.from(text, 'base64url').toString('utf8');
  if (json === '' || Buffer.from(json).toString('base64url') !== text) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = cursorPayloadSchema.safeParse(payload);
  if (!parsed.success) return null;
  return { createdAt: parsed.data.t, id: parsed.data.id.toLowerCase() };
}
