import { timingSafeEqual } from 'node:crypto';
import type { EmulatorClock } from './clock.js';
import type { IdSource } from './ids.js';

// How the emulator writes answers: TikTok's envelope, TikTok-like log ids, and int64 post ids as bare JSON numbers
// (TikTok documents them as int64), which JSON.stringify cannot produce for 19-digit values.

const INT64_MARK = '\u0000int64:';

/** Marks a decimal string to be written as a bare JSON number by stringifyWithInt64. */
export function int64(value: string): string {
  return `${INT64_MARK}${value}`;
}

export function stringifyWithInt64(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000int64:(-?\d+)"/g, '$1');
}

export interface ApiFailure {
  status: number;
  code: string;
  message: string;
}

export function failure(status: number, code: string, message: string): ApiFailure {
  return { status, code, message };
}

/** "20260101000000" + 18 hex digits, like TikTok's log ids. */
export function newLogId(clock: EmulatorClock, ids: IdSource): string {
  const stamp = new Date(clock.now()).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}${ids.hex(18).toUpperCase()}`;
}

export function envelopeBody(logId: string, data: unknown, error?: { code: string; message: string }): string {
  return stringifyWithInt64({ data: data ?? {}, error: { code: error?.code ?? 'ok', message: error?.message ?? '', log_id: logId } });
}

export function oauthErrorBody(logId: string, error: string, description: string): string {
  return JSON.stringify({ error, error_description: description, log_id: logId });
}

export type Result<T> = { ok: true; value: T } | { ok: false; failure: ApiFailure };
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T>(status: number, code: string, message: string): Result<T> => ({ ok: false, failure: failure(status, code, message) });

/** Compares secrets in constant time. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
