import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTimeOf } from './iso-time.js';

describe('isoTimeOf writes what Date.prototype.toISOString writes', () => {
  it('at the edges: the first and last instants of years 0000 and 9999, the epoch, leap days, the ms before the epoch', () => {
    for (const text of ['0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '2000-02-29T12:00:00.000Z', '1900-03-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z']) {
      expect(isoTimeOf(new Date(text))).toBe(text);
    }
  });

  it('for any valid date, including the ±YYYYYY years it leaves to the builtin', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
          fc.date({ noInvalidDate: true }),
        ),
        (date) => {
          expect(isoTimeOf(date)).toBe(date.toISOString());
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('throws on an invalid date, as toISOString does', () => {
    expect(() => isoTimeOf(new Date(Number.NaN))).toThrow(RangeError);
  });
});
