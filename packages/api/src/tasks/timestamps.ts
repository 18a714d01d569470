import { toFiniteNumber } from './loose-json.js';

// Timestamps as agents write them: ISO strings (with or without an offset, with any number of fractional digits),
// epoch seconds, milliseconds, microseconds or nanoseconds, as numbers or numeric strings. Anything else, and any
// instant outside (1970-01-01, 9999-12-31], is unknown: `null`. Zero and "0001-01-01" are placeholders, not times.

const MIN_MS = 0;
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * A number's unit, told apart by magnitude. Seconds stop at 1e11 (the year 5138); milliseconds start there, which
 * misreads only millisecond values before 1973-03-03, a time no task log comes from.
 */
export function epochToMilliseconds(value: number): number | null {
  const magnitude = Math.abs(value);
  if (magnitude < 1e11) return value * 1e3; // seconds
  if (magnitude < 1e14) return value; // milliseconds
  if (magnitude < 1e17) return value / 1e3; // microseconds
  if (magnitude < 1e20) return value / 1e6; // nanoseconds
  return null;
}

function dateFromMilliseconds(ms: number | null): Date | null {
  if (ms === null || !Number.isFinite(ms) || ms <= MIN_MS || ms > MAX_MS) return null;
  return new Date(Math.floor(ms));
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * An ISO 8601 date or date-time, checked field by field (no 30 February rolling over into March). Without an offset
 * it is read as UTC: that is what Python's `datetime.utcnow().isoformat()` means, and reading it in the server's
 * local zone would make the same log show different times on different machines.
 */
export function parseIsoTimestamp(text: string): Date | null {
  const match = ISO.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zulu, sign, offsetHours = '0', offsetMinutes = '0'] =
    match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const offset = zulu || !sign ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return null;
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  return dateFromMilliseconds(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset * 60_000);
}

// RFC 7231 / `Date.prototype.toUTCString()`: "Wed, 27 Nov 2026 05:27:44 GMT".
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

export function parseLooseTimestamp(value: unknown): Date | null {
  const number = toFiniteNumber(value);
  if (number !== null) return dateFromMilliseconds(epochToMilliseconds(number));
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (HTTP_DATE.test(text)) {
    const date = dateFromMilliseconds(Date.parse(text));
    // Date.parse rolls "31 Feb" over into March; a day that moved was not a real date.
    return date && date.getUTCDate() === Number(text.slice(5, 7)) ? date : null;
  }
  return parseIsoTimestamp(text);
}
