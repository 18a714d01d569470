import { describe, expect, it } from 'vitest';
import { inputText, isSafeText } from './input-text.js';

describe('input text', () => {
  it('accepts any well-formed text: emoji (surrogate pairs), accents, newlines', () => {
    for (const text of ['', 'Made by an agent #ai 🤖', 'café\nnaïve', '\uFFFD', '\u{10FFFF}']) expect(isSafeText(text)).toBe(true);
  });

  it('refuses NUL anywhere, which Postgres cannot store in text', () => {
    for (const text of ['\u0000', 'a\u0000', '\u0000b', 'idempotency\u0000key']) expect(isSafeText(text)).toBe(false);
  });

  it('refuses a lone high or low surrogate, first, last or between characters', () => {
    for (const text of ['\ud800', '\udfff', 'a\ud83d', '\ude00b', 'a\ud83db', '🤖\udc00', '\udc00\ud800']) expect(isSafeText(text)).toBe(false);
  });

  it('is a zod issue with a message that says what to remove', () => {
    const result = inputText().max(10).safeParse('bad\u0000');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('must not contain NUL (\\u0000) or unpaired UTF-16 surrogates');
  });
});
