import { describe, expect, it } from 'vitest';
import {
  decryptFernet,
  encryptFernet,
  generateFernetKey,
  parseFernetKey,
  type TokenCodecErrorReason,
} from './fernet.js';
import python from './fixtures/python-cryptography.json' with { type: 'json' };
import { tokenCodecRefusal } from '../testing/token-codec.js';
import specGenerate from './fixtures/fernet-spec-generate.json' with { type: 'json' };
import specInvalid from './fixtures/fernet-spec-invalid.json' with { type: 'json' };
import specVerify from './fixtures/fernet-spec-verify.json' with { type: 'json' };

const seconds = (rfc3339: string) => Math.floor(Date.parse(rfc3339) / 1000);

describe('the Fernet spec vectors (github.com/fernet/spec)', () => {
  it.each(specGenerate)('generates the published token for "$src"', ({ secret, src, iv, now, token }) => {
    expect(encryptFernet(parseFernetKey(secret), Buffer.from(src), { timestamp: seconds(now), iv: Uint8Array.from(iv) })).toBe(token);
  });

  it.each(specVerify)('verifies the published token to "$src"', ({ secret, token, now, ttl_sec, src }) => {
    const opened = decryptFernet([parseFernetKey(secret)], token, { now: seconds(now), ttlSeconds: ttl_sec });
    expect(opened.plaintext.toString()).toBe(src);
  });

  const specReasons: Record<string, TokenCodecErrorReason> = {
    'incorrect mac': 'bad_signature',
    'too short': 'malformed',
    'invalid base64': 'malformed',
    'payload size not multiple of block size': 'malformed',
    'payload padding error': 'bad_padding',
    'far-future TS (unacceptable clock skew)': 'from_the_future',
    'expired TTL': 'expired',
    'incorrect IV (causes padding error)': 'bad_padding',
  };

  it.each(specInvalid)('refuses a token with $desc', ({ desc, secret, token, now, ttl_sec }) => {
    const error = tokenCodecRefusal(() => decryptFernet([parseFernetKey(secret)], token, { now: seconds(now), ttlSeconds: ttl_sec }));
    expect(error.reason).toBe(specReasons[desc]);
  });
});

describe('the tokens Python cryptography made (the existing rows)', () => {
  it.each(python.valid.map((c, index) => ({ ...c, index })))(
    'opens valid case $index (ttl $ttl)',
    ({ key, token, now, ttl, plaintext_b64 }) => {
      const opened = decryptFernet([parseFernetKey(key)], token, { now: now ?? 0, ttlSeconds: ttl });
      expect(opened.plaintext.equals(Buffer.from(plaintext_b64, 'base64url'))).toBe(true);
    },
  );

  // Python names why each is invalid; our reason says the same in our words.
  const pythonReasons: Record<string, TokenCodecErrorReason> = {
    'wrong key': 'bad_signature',
    'expired (now past ts + ttl)': 'expired',
    'from the future (ts more than 60 s ahead of now)': 'from_the_future',
    'bad version byte': 'unsupported_version',
    // Flipping a timestamp bit moves it ~194 days ahead: the time check (which runs before the HMAC) catches it.
    'tampered timestamp': 'from_the_future',
    'tampered IV': 'bad_signature',
    'tampered ciphertext': 'bad_signature',
    'tampered HMAC': 'bad_signature',
    'truncated (no HMAC)': 'malformed',
    'too short': 'malformed',
    'ciphertext not a multiple of 16': 'malformed',
    'not base64url': 'malformed',
    empty: 'malformed',
    'valid HMAC, invalid PKCS7 padding': 'bad_padding',
  };

  it('names every invalid case it expects a reason for', () => {
    expect(python.invalid.map((c) => c.reason).sort()).toEqual(Object.keys(pythonReasons).sort());
  });

  it.each(python.invalid)('refuses a token: $reason', ({ reason, key, token, now, ttl }) => {
    const error = tokenCodecRefusal(() => decryptFernet([parseFernetKey(key)], token, { now, ttlSeconds: ttl }));
    expect(error.reason).toBe(pythonReasons[reason]);
  });
});

describe('our own tokens', () => {
  const key = parseFernetKey(generateFernetKey());

  it('open again to the same bytes, including an empty plaintext', () => {
    for (const plaintext of [Buffer.alloc(0), Buffer.from('act.1234'), Buffer.alloc(1000, 7)]) {
      const token = encryptFernet(key, plaintext, { timestamp: 1_760_000_000 });
      expect(decryptFernet([key], token, { now: 1_760_000_000 }).plaintext.equals(plaintext)).toBe(true);
    }
  });

  it('are URL-safe base64 with padding and start with the version byte', () => {
    const token = encryptFernet(key, Buffer.from('x'), { timestamp: 1_760_000_000 });
    expect(token).toMatch(/^gAAAAA[A-Za-z0-9_-]+=*$/);
    expect(token.length % 4).toBe(0);
  });

  it('use a fresh IV each time', () => {
    const a = encryptFernet(key, Buffer.from('same'), { timestamp: 1 });
    const b = encryptFernet(key, Buffer.from('same'), { timestamp: 1 });
    expect(a).not.toBe(b);
  });

  it('are accepted up to 60 s stamped ahead of our clock, and refused at 61 s', () => {
    const token = encryptFernet(key, Buffer.from('x'), { timestamp: 1_000_060 });
    expect(() => decryptFernet([key], token, { now: 1_000_000, ttlSeconds: 10 })).not.toThrow();
    expect(tokenCodecRefusal(() => decryptFernet([key], token, { now: 999_999, ttlSeconds: 10 })).reason).toBe('from_the_future');
  });

  it('are accepted at exactly the TTL and refused one second later', () => {
    const token = encryptFernet(key, Buffer.from('x'), { timestamp: 1_000_000 });
    expect(() => decryptFernet([key], token, { now: 1_000_060, ttlSeconds: 60 })).not.toThrow();
    expect(tokenCodecRefusal(() => decryptFernet([key], token, { now: 1_000_061, ttlSeconds: 60 })).reason).toBe('expired');
  });

  it('are not time-checked without a TTL, as in Python', () => {
    const token = encryptFernet(key, Buffer.from('x'), { timestamp: 1 });
    expect(decryptFernet([key], token, { now: 2_000_000_000 }).timestamp).toBe(1);
  });

  it('say which key of a ring opened them', () => {
    const other = parseFernetKey(generateFernetKey());
    const token = encryptFernet(key, Buffer.from('x'), { timestamp: 1 });
    expect(decryptFernet([other, key], token, { now: 1 }).keyIndex).toBe(1);
  });

  it('are refused with a non-canonical base64 encoding of the same bytes', () => {
    const token = encryptFernet(key, Buffer.from('x'), { timestamp: 1 });
    // 73 bytes: 100 characters ending in "==", the last data character carrying 4 unused bits that must be zero.
    expect(token).toMatch(/^[^=]+==$/);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = token.at(-3)!;
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    const tampered = `${token.slice(0, -3)}${sibling}==`;
    expect(Buffer.from(tampered, 'base64url').equals(Buffer.from(token, 'base64url'))).toBe(true);
    expect(tokenCodecRefusal(() => decryptFernet([key], tampered, { now: 1 })).reason).toBe('malformed');
  });

  it.each([null, undefined, 42, {}, ' gAAAAA', 'gAAAAA\n'])('refuses %j as malformed', (value) => {
    expect(tokenCodecRefusal(() => decryptFernet([key], value, { now: 1 })).reason).toBe('malformed');
  });
});

describe('keys', () => {
  it('accept the standard base64 alphabet, as Python does', () => {
    const key = generateFernetKey();
    const standard = Buffer.from(key, 'base64url').toString('base64');
    const token = encryptFernet(parseFernetKey(key), Buffer.from('x'), { timestamp: 1 });
    expect(decryptFernet([parseFernetKey(standard)], token, { now: 1 }).plaintext.toString()).toBe('x');
  });

  it.each(['', 'too-short', `${generateFernetKey().slice(0, -1)}`, `${generateFernetKey()}AAAA`])(
    'refuses %j with invalid_key',
    (text) => {
      expect(tokenCodecRefusal(() => parseFernetKey(text)).reason).toBe('invalid_key');
    },
  );
});
