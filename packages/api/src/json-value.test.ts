import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isJsonValue, jsonValueSchema } from './json-value.js';

describe('jsonValueSchema accepts exactly what z.json() accepts', () => {
  it('accepts JSON: null, booleans, finite numbers, strings, arrays and plain objects of them', () => {
    for (const value of [null, true, 0, -1.5, '', 'text', [], {}, [1, 'a', null, { b: [false] }], Object.create(null) as object]) {
      expect(jsonValueSchema.safeParse(value).success).toBe(true);
    }
  });

  it('refuses what JSON cannot hold, at any depth', () => {
    for (const value of [undefined, Number.NaN, Number.POSITIVE_INFINITY, 1n, new Date(0), () => 1, Symbol('s'), new Map(), { a: [1, undefined] }, { deep: { n: Number.NaN } }]) {
      expect(isJsonValue(value)).toBe(false);
      expect(jsonValueSchema.safeParse(value).success).toBe(false);
    }
  });

  it('agrees with z.json() on arbitrary values', () => {
    const json = z.json();
    const value = fc.oneof(fc.jsonValue(), fc.anything({ withDate: true, withMap: true, withBigInt: true, withNullPrototype: true }));
    fc.assert(
      fc.property(value, (input) => {
        expect(jsonValueSchema.safeParse(input).success).toBe(json.safeParse(input).success);
      }),
      { numRuns: 500 },
    );
  });

  it('is compiled by zod inside an object, which z.json() (a reference cycle) is not', () => {
    expect(() => z.compile(z.object({ input: jsonValueSchema.nullable() }), { strict: true })).not.toThrow();
    expect(() => z.compile(z.object({ input: z.json().nullable() }), { strict: true })).toThrow(/reference cycle/);
  });
});
