import fc from 'fast-check';
import superjson, { type SuperJSONResult } from 'superjson';
import { describe, expect, it } from 'vitest';
import { serializeOutput } from './transformer.js';

/** What a client reads: the JSON text of what the transformer wrote, parsed (the meta's key order is no contract). */
const wire = (written: SuperJSONResult): unknown => JSON.parse(JSON.stringify(written));

describe('serializeOutput writes what superjson writes', () => {
  it('writes plain JSON without meta', () => {
    const value = { id: 'a', n: 1.5, ok: true, none: null, list: [1, 'two', { three: [] }] };
    expect(wire(serializeOutput(value))).toStrictEqual(wire(superjson.serialize(value)));
    expect(serializeOutput(value)).toStrictEqual({ json: value });
  });

  it('annotates dates and undefined at their paths, keys with dots and backslashes escaped as superjson does', () => {
    const value = {
      createdAt: new Date('2026-11-27T10:00:00.000Z'),
      logs: [{ at: new Date(0), agent: undefined }, undefined],
      'a.b\\c': { when: new Date(1) },
    };
    expect(wire(serializeOutput(value))).toStrictEqual(wire(superjson.serialize(value)));
  });

  it('tells a child under the empty key from a child of the root, as superjson does', () => {
    const value = { '': [undefined, new Date(0)], 0: { '': undefined } };
    expect(wire(serializeOutput(value))).toStrictEqual(wire(superjson.serialize(value)));
  });

  it('copies only what holds a date or undefined: the rest of the output is written as it is', () => {
    const value = { at: new Date('2026-11-27T10:00:00.000Z'), input: { prompt: 'x', tags: ['a'] }, logs: [{ at: new Date(0) }] };
    const written = serializeOutput(value);
    expect(written.json).not.toBe(value);
    expect((written.json as Record<string, unknown>).input).toBe(value.input);
    expect(wire(written)).toStrictEqual(wire(superjson.serialize(value)));
  });

  it('copies a value holding undefined in an object, which JSON text would otherwise drop', () => {
    const value = { logs: [{ agent: undefined }] };
    expect(serializeOutput(value).json).toStrictEqual({ logs: [{ agent: null }] });
  });

  it('leaves shared and circular references, NaN, Maps and class instances to superjson', () => {
    const shared = { k: 1 };
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const holey: number[] = [];
    holey[0] = 1;
    holey[2] = 3;
    for (const value of [
      { a: shared, b: shared },
      circular,
      { n: Number.NaN, i: Number.POSITIVE_INFINITY },
      { m: new Map([[1, 2]]), s: new Set([1]) },
      { big: 10n, url: new URL('https://example.com') },
      holey,
      { at: new Date(Number.NaN) },
      'a string at the root',
      undefined,
    ]) {
      expect(wire(serializeOutput(value))).toStrictEqual(wire(superjson.serialize(value)));
    }
  });

  it('throws where superjson throws: a prototype-polluting key', () => {
    const polluting = JSON.parse('{"__proto__": {"x": 1}}') as unknown;
    expect(() => serializeOutput(polluting)).toThrow(/prototype pollution/);
  });

  it('agrees with superjson on arbitrary values, and superjson reads them back', () => {
    const leaf = fc.oneof(fc.jsonValue(), fc.date({ noInvalidDate: true }), fc.constant(undefined), fc.double(), fc.bigInt());
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node')), fc.dictionary(fc.string(), tie('node'))),
    })).node;
    fc.assert(
      fc.property(value, (input) => {
        let expected;
        try {
          expected = superjson.serialize(input);
        } catch {
          expect(() => serializeOutput(input)).toThrow();
          return;
        }
        const written = serializeOutput(input);
        expect(wire(written)).toStrictEqual(wire(expected));
        expect(superjson.deserialize(JSON.parse(JSON.stringify(written)) as SuperJSONResult)).toStrictEqual(
          superjson.deserialize(JSON.parse(JSON.stringify(superjson.serialize(input))) as SuperJSONResult),
        );
      }),
      { numRuns: 500 },
    );
  });
});
