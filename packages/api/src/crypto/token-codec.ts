import { type Clock, systemClock } from '../deps.js';
import { decryptFernet, encryptFernet, type FernetKey, parseFernetKey, TokenCodecError } from './fernet.js';

/**
 * Seals the secrets we keep (TikTok access and refresh tokens, PKCE verifiers) with Fernet under a key ring, like
 * Python's MultiFernet: the first (newest) key seals, every key opens. Rotating keys:
 *   1. put the new key first: `ENCRYPTION_KEYS=new,old` and restart (every process can now read both);
 *   2. run `pnpm --filter @reelpost/server rotate-keys` (re-seals every row with `new`; safe while serving);
 *   3. drop `old` from the list.
 */
export interface TokenCodec {
  /** Seals UTF-8 text with the newest key. */
  encrypt(plaintext: string): string;
  /**
   * Opens a token sealed with any configured key. With `ttlSeconds`, a token older than that (or stamped more than
   * 60 s ahead of our clock) is refused. Throws only `TokenCodecError`.
   */
  decrypt(token: string, options?: { ttlSeconds?: number }): string;
  encryptBytes(plaintext: Uint8Array): string;
  decryptBytes(token: string, options?: { ttlSeconds?: number }): Buffer;
  /**
   * The same plaintext sealed with the newest key, keeping the token's original timestamp (so TTLs still count from
   * when it was first sealed), as MultiFernet.rotate does. Throws only `TokenCodecError`.
   */
  rotate(token: string): string;
  /** Which key opens the token: 0 is the newest. Throws `TokenCodecError` when none does. */
  keyIndexOf(token: string): number;
  readonly keyCount: number;
}

export interface TokenCodecOptions {
  /** Fernet keys, newest first. */
  keys: readonly string[];
  clock?: Clock;
}

const unixSeconds = (clock: Clock) => Math.floor(clock.now().getTime() / 1000);

export function createTokenCodec({ keys, clock = systemClock }: TokenCodecOptions): TokenCodec {
  const ring: FernetKey[] = keys.map((key, index) => parseFernetKey(key, `Encryption key #${index + 1}`));
  const newest = ring[0];
  if (!newest) throw new TokenCodecError('no_keys');
  const textDecoder = new TextDecoder('utf-8', { fatal: true });

  const open = (token: string, ttlSeconds?: number) =>
    decryptFernet(ring, token, { now: unixSeconds(clock), ttlSeconds });
  const toText = (bytes: Buffer) => {
    try {
      return textDecoder.decode(bytes);
    } catch {
      throw new TokenCodecError('not_utf8');
    }
  };

  // Methods close over the keys; the returned object holds none, so logging it shows nothing secret.
  return Object.freeze({
    keyCount: ring.length,
    encryptBytes: (plaintext: Uint8Array) => encryptFernet(newest, plaintext, { timestamp: unixSeconds(clock) }),
    encrypt: (plaintext: string) => encryptFernet(newest, Buffer.from(plaintext, 'utf8'), { timestamp: unixSeconds(clock) }),
    decryptBytes: (token: string, options?: { ttlSeconds?: number }) => open(token, options?.ttlSeconds).plaintext,
    decrypt: (token: string, options?: { ttlSeconds?: number }) => toText(open(token, options?.ttlSeconds).plaintext),
    rotate: (token: string) => {
      const { plaintext, timestamp } = open(token);
      return encryptFernet(newest, plaintext, { timestamp });
    },
    keyIndexOf: (token: string) => open(token).keyIndex,
  });
}

/** The configured keys, as ENCRYPTION_KEYS and ENCRYPTION_KEY give them (each entry already trimmed). */
export interface ConfiguredKeys {
  /** ENCRYPTION_KEYS: newest first. */
  keys: readonly string[];
  /** ENCRYPTION_KEY: a single key, as the existing backend and the seed set it. */
  key?: string;
}

/**
 * The key ring, newest first: ENCRYPTION_KEYS (duplicates dropped), or ENCRYPTION_KEY alone. When both are set,
 * ENCRYPTION_KEY must be one of ENCRYPTION_KEYS: silently ignoring it would leave every row it sealed unreadable.
 * Messages name the variable and the position of a bad entry, never a key.
 */
export function encryptionKeyRing({ keys, key }: ConfiguredKeys): string[] {
  if (keys.length === 0) {
    if (key === undefined) throw new TokenCodecError('no_keys');
    parseFernetKey(key, 'ENCRYPTION_KEY');
    return [key];
  }
  keys.forEach((entry, index) => parseFernetKey(entry, `ENCRYPTION_KEYS entry #${index + 1}`));
  if (key !== undefined && !keys.includes(key)) {
    throw new TokenCodecError(
      'invalid_key',
      'ENCRYPTION_KEY is set but is not one of ENCRYPTION_KEYS; rows sealed with it would become unreadable. ' +
        'Add it to ENCRYPTION_KEYS after the newer keys, or unset ENCRYPTION_KEY.',
    );
  }
  return [...new Set(keys)];
}
