import pg from 'pg';

// timestamptz columns, read. node-postgres parses them with postgres-date, which runs three regular expressions and a
// parseInt per field for each value: on a page of tasks.list (five timestamps a row) that was ~36 µs of every request
// (docs/benchmarks.md, issue 23). Postgres writes a timestamptz in one fixed form under its default DateStyle (ISO):
// `2026-12-06 03:02:54.582123+00`, the offset `±HH[:MM[:SS]]` of the session's TimeZone. That form, for the years
// 1000–9999, is read here by position; anything else (BC, infinity, other years or DateStyles) goes to node-postgres'
// own parser, so every value reads as it always did.

export const TIMESTAMPTZ_OID = 1184;

const defaultParser = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number | null;

const ZERO = 48;
/** The number written by the digits at [start, end), or -1 when any is not a digit. */
function digits(text: string, start: number, end: number): number {
  let value = 0;
  for (let index = start; index < end; index++) {
    const digit = text.charCodeAt(index) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** A timestamptz as Postgres writes it, as a Date (or, for ±infinity, the number node-postgres gives). */
export function parseTimestamptz(text: string): Date | number | null {
  return fastTimestamptz(text) ?? defaultParser(text);
}

function fastTimestamptz(text: string): Date | null {
  // YYYY-MM-DD HH:MM:SS: 19 characters at fixed places.
  if (text.length < 22 || text[4] !== '-' || text[7] !== '-' || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':') return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hours = digits(text, 11, 13);
  const minutes = digits(text, 14, 16);
  const seconds = digits(text, 17, 19);
  if (year < 1000 || month < 0 || day < 0 || hours < 0 || minutes < 0 || seconds < 0) return null;
  let at = 19;
  let millis = 0;
  if (text[at] === '.') {
    // Microseconds to milliseconds by truncation, as postgres-date's Date.UTC does.
    const start = ++at;
    while (at < text.length && text.charCodeAt(at) >= ZERO && text.charCodeAt(at) <= ZERO + 9) at++;
    if (at === start || at - start > 6) return null;
    const read = Math.min(at - start, 3);
    millis = digits(text, start, start + read) * (read === 1 ? 100 : read === 2 ? 10 : 1);
  }
  const sign = text[at] === '+' ? 1 : text[at] === '-' ? -1 : 0;
  if (sign === 0) return null;
  const offsetHours = digits(text, at + 1, at + 3);
  at += 3;
  let offsetMinutes = 0;
  let offsetSeconds = 0;
  if (text[at] === ':') {
    offsetMinutes = digits(text, at + 1, at + 3);
    at += 3;
    if (text[at] === ':') {
      offsetSeconds = digits(text, at + 1, at + 3);
      at += 3;
    }
  }
  if (at !== text.length || offsetHours < 0 || offsetMinutes < 0 || offsetSeconds < 0) return null;
  const offsetMs = sign * ((offsetHours * 60 + offsetMinutes) * 60 + offsetSeconds) * 1000;
  return new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds, millis) - offsetMs);
}
