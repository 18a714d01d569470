import { z } from 'zod';

// Every string a caller sends is text Postgres can store and a person can read. Postgres refuses U+0000 in text
// (an error, not a value), and a lone UTF-16 surrogate is not Unicode at all: encoded on its way to the database it
// becomes U+FFFD, so what is stored is not what was sent (an idempotency key would stop matching itself). Both are
// refused as bad input, here, for every string input (issue 17, finding 3).

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one (UTF-16 code units). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const UNSAFE_TEXT_MESSAGE = 'must not contain NUL (\\u0000) or unpaired UTF-16 surrogates';

/** True when the text holds neither U+0000 nor a lone surrogate. */
export function isSafeText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/** `z.string()` for inputs: the one place every input string is checked for NUL and lone surrogates. */
export function inputText() {
  return z.string().refine(isSafeText, { message: UNSAFE_TEXT_MESSAGE });
}
