import { describe, expect, it } from 'vitest';
import { parseLooseTimestamp } from './timestamps.js';

const at = (iso: string) => new Date(iso);

describe('parseLooseTimestamp', () => {
  it.each([
    ['an ISO string in UTC', '2026-11-27T10:00:00Z', at('2026-11-27T10:00:00Z')],
    ['an ISO string with an offset', '2026-11-27T12:00:00+02:00', at('2026-11-27T10:00:00Z')],
    ['an ISO string with a colonless offset', '2026-11-27T05:00:00-0500', at('2026-11-27T10:00:00Z')],
    ['microseconds (Python), cut to milliseconds', '2026-11-27T10:00:00.123456+00:00', at('2026-11-27T10:00:00.123Z')],
    ['no offset, read as UTC (Python utcnow)', '2026-11-27T10:00:00.5', at('2026-11-27T10:00:00.500Z')],
    ['a space instead of T', '2026-11-27 10:00:00', at('2026-11-27T10:00:00Z')],
    ['a date alone', '2026-11-27', at('2026-11-27T00:00:00Z')],
    ['an HTTP date', 'Fri, 27 Nov 2026 10:00:00 GMT', at('2026-11-27T10:00:00Z')],
    ['epoch seconds', 1795773600, at('2026-11-27T10:00:00Z')],
    ['fractional epoch seconds', 1795773600.25, at('2026-11-27T10:00:00.250Z')],
    ['epoch milliseconds', 1795773600123, at('2026-11-27T10:00:00.123Z')],
    ['epoch microseconds', 1795773600123456, at('2026-11-27T10:00:00.123Z')],
    ['epoch nanoseconds', 1795773600123e6, at('2026-11-27T10:00:00.123Z')],
    ['epoch seconds as text', '1795773600', at('2026-11-27T10:00:00Z')],
    ['epoch milliseconds as text', ' 1795773600123 ', at('2026-11-27T10:00:00.123Z')],
  ])('reads %s', (_, value, expected) => {
    expect(parseLooseTimestamp(value)).toEqual(expected);
  });

  it.each([
    ['30 February', '2026-02-30T00:00:00Z'],
    ['hour 24', '2026-11-27T24:00:00Z'],
    ['month 13', '2026-13-01'],
    ['the year 0001 placeholder', '0001-01-01T00:00:00Z'],
    ['a year before 1970 written with two digits', '0070-06-01'],
    ['epoch zero', 0],
    ['a negative epoch', -1795773600],
    ['a number past the year 9999', 1e19 * 1000],
    ['Infinity as text', 'Infinity'],
    ['words', 'yesterday'],
    ['a bare number word', 'one'],
    ['an empty string', ''],
    ['a boolean', true],
    ['an object', { $date: '2026-11-27T10:00:00Z' }],
    ['an array', [2026, 11, 27]],
    ['null', null],
  ])('gives null for %s', (_, value) => {
    expect(parseLooseTimestamp(value)).toBeNull();
  });
});
