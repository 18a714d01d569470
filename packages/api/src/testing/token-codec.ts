import { expect } from 'vitest';
import { TokenCodecError } from '../crypto/fernet.js';

/** The TokenCodecError `run` throws (its reason and message are what a test then reads); fails if it throws none. */
export function tokenCodecRefusal(run: () => unknown): TokenCodecError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenCodecError);
    return error as TokenCodecError;
  }
  throw new Error('expected a TokenCodecError, but nothing was thrown');
}
