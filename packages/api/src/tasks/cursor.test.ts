import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTaskCursor, encodeTaskCursor } from './cursor.js';

const position = { createdAt: '2026-11-27T10:00:00.123456Z', id: '5f0c6d3e-7a4b-4c1d-9e2f-0a1b2c3d4e5f' };

describe('the tasks.list cursor', () => {
  it('decodes what it encoded', () => {
    expect(decodeTaskCursor(encodeTaskCursor(position))).toEqual(position);
  });

  it('is URL-safe text', () => {
    expect(encodeTaskCursor(position)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('rejects a cursor with a character changed into one base64url does not have', () => {
    const cursor = encodeTaskCursor(position);
    expect(decodeTaskCursor(`${cursor.slice(0, 10)}*${cursor.slice(11)}`)).toBeNull();
  });

  it('rejects anything that is not one of its own, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const cursor = decodeTaskCursor(text);
        // Only a real cursor decodes; this property's random text never is one.
        expect(cursor === null || encodeTaskCursor(cursor) === text).toBe(true);
      }),
    );
  });
});
