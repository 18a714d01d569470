import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Fernet (https://github.com/fernet/spec), version 0x80, on node:crypto's AES-128-CBC, HMAC-SHA256 and
// timingSafeEqual. Written here rather than adopted because the npm packages that exist are either unmaintained
// wrappers over crypto-js 3 (`fernet`) or single-release projects, none has MultiFernet-style rotation, and what
// Fernet adds on top of the primitives is ~100 lines of framing that the spec's vectors and Python's own tokens
// (see fixtures/) pin down completely. Behaviour matches Python's `cryptography` (which sealed the existing rows):
// the time checks run only when a TTL is given, before the HMAC, as the spec orders them; 60 s of clock skew into
// the future is allowed; rotation keeps the token's original timestamp.

const VERSION = 0x80;
const HEADER_BYTES = 1 + 8 + 16; // version, timestamp, IV
const HMAC_BYTES = 32;
const BLOCK_BYTES = 16;
const MIN_TOKEN_BYTES = HEADER_BYTES + BLOCK_BYTES + HMAC_BYTES;
/** Fernet's allowance for a token stamped by a clock running ahead of ours. */
export const MAX_CLOCK_SKEW_SECONDS = 60;

const TOKEN_PATTERN = /^[A-Za-z0-9_-]+={0,2}$/;
const KEY_PATTERN = /^[A-Za-z0-9_+/-]{43}=$/;

export type TokenCodecErrorReason =
  /** No encryption key is configured. */
  | 'no_keys'
  /** A configured key is not a Fernet key (32 bytes of base64). */
  | 'invalid_key'
  /** Not a Fernet token at all: empty, not URL-safe base64, or the wrong length. */
  | 'malformed'
  | 'unsupported_version'
  /** Older than the TTL the caller asked for. */
  | 'expired'
  /** Stamped more than 60 s ahead of our clock. */
  | 'from_the_future'
  /** No configured key signed it: a key that is not (or no longer) configured, or the token was altered. */
  | 'bad_signature'
  /** Signed by one of our keys but does not decrypt to padded plaintext (only a broken encoder makes these). */
  | 'bad_padding'
  /** Decrypted, but the plaintext is not UTF-8 where text was expected. */
  | 'not_utf8';

const MESSAGES: Record<TokenCodecErrorReason, string> = {
  no_keys: 'No encryption key is configured: set ENCRYPTION_KEYS (newest first) or ENCRYPTION_KEY.',
  invalid_key:
    'An encryption key is not a Fernet key: expected 32 random bytes in URL-safe base64 with padding (44 characters).',
  malformed: 'The sealed value is not a Fernet token.',
  unsupported_version: 'The sealed value is not a version 0x80 Fernet token.',
  expired: 'The sealed value has expired.',
  from_the_future: 'The sealed value is stamped too far in the future; check the clocks of the machines that wrote it.',
  bad_signature: 'The sealed value was not made with any configured encryption key, or it was altered.',
  bad_padding: 'The sealed value is signed with a configured key but does not decrypt.',
  not_utf8: 'The sealed value does not hold UTF-8 text.',
};

/**
 * The only error the codec throws. It carries a reason and a fixed message, never the token, the plaintext or a key,
 * and no `cause` (node:crypto's errors would add nothing a caller may act on).
 */
export class TokenCodecError extends Error {
  override readonly name = 'TokenCodecError';
  constructor(
    readonly reason: TokenCodecErrorReason,
    message: string = MESSAGES[reason],
  ) {
    super(message);
  }
}

/**
 * A parsed Fernet key. Its fields are non-enumerable, so logging or serialising the object (`console.log`,
 * `JSON.stringify`) shows no key material.
 */
export interface FernetKey {
  readonly signingKey: Buffer;
  readonly encryptionKey: Buffer;
}

function hidden<T extends object>(target: T, fields: Record<string, unknown>): T {
  for (const [name, value] of Object.entries(fields)) {
    Object.defineProperty(target, name, { value, enumerable: false, writable: false });
  }
  return Object.freeze(target);
}

/**
 * Parses a key as Python's `Fernet(key)` does: URL-safe base64 of 32 bytes (signing key, then encryption key). The
 * standard alphabet (`+`, `/`) is accepted too, because Python accepts it and keys made with `openssl rand -base64 32`
 * use it. Throws `TokenCodecError('invalid_key')`, whose message never repeats the key.
 */
export function parseFernetKey(text: string, label = 'An encryption key'): FernetKey {
  const trimmed = text.trim();
  if (!KEY_PATTERN.test(trimmed)) {
    throw new TokenCodecError(
      'invalid_key',
      `${label} is not a Fernet key: expected 32 random bytes in URL-safe base64 with padding (44 characters ending ` +
        `in "="). Make one with \`node -e "console.log(crypto.randomBytes(32).toString('base64url') + '=')"\`.`,
    );
  }
  const bytes = Buffer.from(trimmed.replaceAll('+', '-').replaceAll('/', '_'), 'base64url');
  return hidden({} as FernetKey, { signingKey: bytes.subarray(0, 16), encryptionKey: bytes.subarray(16, 32) });
}

/** A fresh random key in the canonical form (URL-safe base64 with padding), as `Fernet.generate_key()` makes. */
export function generateFernetKey(): string {
  return randomBytes(32).toString('base64url') + '=';
}

function encodeToken(bytes: Buffer): string {
  const unpadded = bytes.toString('base64url');
  return unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4);
}

function decodeToken(token: unknown): Buffer {
  if (typeof token !== 'string' || token.length % 4 !== 0 || !TOKEN_PATTERN.test(token)) {
    throw new TokenCodecError('malformed');
  }
  const bytes = Buffer.from(token, 'base64url');
  // Node ignores stray bits and characters; insisting on the canonical encoding keeps one token per byte string.
  if (encodeToken(bytes) !== token) throw new TokenCodecError('malformed');
  return bytes;
}

function sign(key: FernetKey, signed: Buffer): Buffer {
  return createHmac('sha256', key.signingKey).update(signed).digest();
}

export interface FernetEncryptOptions {
  /** Unix seconds written into the token. */
  timestamp: number;
  /** 16 bytes; random unless given (only the spec's generate vectors give one). */
  iv?: Uint8Array;
}

export function encryptFernet(key: FernetKey, plaintext: Uint8Array, options: FernetEncryptOptions): string {
  const iv = options.iv ? Buffer.from(options.iv) : randomBytes(16);
  if (iv.length !== 16) throw new RangeError('A Fernet IV is 16 bytes');
  if (!Number.isSafeInteger(options.timestamp) || options.timestamp < 0) {
    throw new RangeError('A Fernet timestamp is a non-negative whole number of seconds');
  }
  const cipher = createCipheriv('aes-128-cbc', key.encryptionKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const header = Buffer.alloc(9);
  header.writeUInt8(VERSION, 0);
  header.writeBigUInt64BE(BigInt(options.timestamp), 1);
  const signed = Buffer.concat([header, iv, ciphertext]);
  return encodeToken(Buffer.concat([signed, sign(key, signed)]));
}

export interface FernetDecryptOptions {
  /** Unix seconds, ours. */
  now: number;
  /** Maximum age in seconds; when absent no time check is made (as in Python's `decrypt(token)` without a ttl). */
  ttlSeconds?: number | null | undefined;
}

export interface FernetOpened {
  plaintext: Buffer;
  /** Unix seconds the token was stamped with. */
  timestamp: number;
  /** Which of the keys passed in verified it (0 = the first, the newest in a key ring). */
  keyIndex: number;
}

/**
 * Verifies and decrypts a token with the first of `keys` whose HMAC matches (MultiFernet's rule). Every failure is a
 * `TokenCodecError`; nothing else is thrown.
 */
export function decryptFernet(keys: readonly FernetKey[], token: unknown, options: FernetDecryptOptions): FernetOpened {
  const data = decodeToken(token);
  if (data.length < 1 || data[0] !== VERSION) {
    throw new TokenCodecError(data.length < MIN_TOKEN_BYTES ? 'malformed' : 'unsupported_version');
  }
  if (data.length < MIN_TOKEN_BYTES || (data.length - HEADER_BYTES - HMAC_BYTES) % BLOCK_BYTES !== 0) {
    throw new TokenCodecError('malformed');
  }
  const timestampBig = data.readBigUInt64BE(1);
  const timestamp = timestampBig > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(timestampBig);
  if (options.ttlSeconds !== undefined && options.ttlSeconds !== null) {
    if (timestamp + options.ttlSeconds < options.now) throw new TokenCodecError('expired');
    if (options.now + MAX_CLOCK_SKEW_SECONDS < timestamp) throw new TokenCodecError('from_the_future');
  }

  const signed = data.subarray(0, data.length - HMAC_BYTES);
  const mac = data.subarray(data.length - HMAC_BYTES);
  const keyIndex = keys.findIndex((key) => timingSafeEqual(sign(key, signed), mac));
  const key = keys[keyIndex];
  if (!key) throw new TokenCodecError('bad_signature');

  const iv = data.subarray(9, HEADER_BYTES);
  const ciphertext = data.subarray(HEADER_BYTES, data.length - HMAC_BYTES);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-128-cbc', key.encryptionKey, iv);
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new TokenCodecError('bad_padding');
  }
  return { plaintext, timestamp, keyIndex };
}
