import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../deps.js';
import { generateFernetKey } from './fernet.js';
import python from './fixtures/python-cryptography.json' with { type: 'json' };
import { tokenCodecRefusal } from '../testing/token-codec.js';
import { createTokenCodec, encryptionKeyRing } from './token-codec.js';

const at = (unixSeconds: number): Clock => ({ now: () => new Date(unixSeconds * 1000) });

describe('rotation (MultiFernet)', () => {
  it.each(python.rotation.map((c, index) => ({ ...c, index })))(
    'opens Python rotation case $index with the key list and re-seals it for the newest key alone',
    ({ keys_newest_first, token_under_old_key, plaintext_b64 }) => {
      const plaintext = Buffer.from(plaintext_b64, 'base64url');
      const ring = createTokenCodec({ keys: keys_newest_first });
      expect(ring.decryptBytes(token_under_old_key).equals(plaintext)).toBe(true);
      expect(ring.keyIndexOf(token_under_old_key)).toBe(1);

      const rotated = ring.rotate(token_under_old_key);
      const newestAlone = createTokenCodec({ keys: [keys_newest_first[0]!] });
      expect(newestAlone.decryptBytes(rotated).equals(plaintext)).toBe(true);
      expect(tokenCodecRefusal(() => newestAlone.decryptBytes(token_under_old_key)).reason).toBe('bad_signature');
    },
  );

  it('seals with the first key and opens with any', () => {
    const [newer, older] = [generateFernetKey(), generateFernetKey()];
    const sealedByOld = createTokenCodec({ keys: [older] }).encrypt('refresh-1');
    const ring = createTokenCodec({ keys: [newer, older] });
    expect(ring.decrypt(sealedByOld)).toBe('refresh-1');
    expect(ring.keyIndexOf(ring.encrypt('refresh-2'))).toBe(0);
  });

  it('keeps the original timestamp, so a TTL still counts from the first sealing', () => {
    const [newer, older] = [generateFernetKey(), generateFernetKey()];
    const token = createTokenCodec({ keys: [older], clock: at(1_000_000) }).encrypt('verifier');
    const rotated = createTokenCodec({ keys: [newer, older], clock: at(1_000_500) }).rotate(token);
    const later = createTokenCodec({ keys: [newer], clock: at(1_000_601) });
    expect(tokenCodecRefusal(() => later.decrypt(rotated, { ttlSeconds: 600 })).reason).toBe('expired');
    expect(createTokenCodec({ keys: [newer], clock: at(1_000_600) }).decrypt(rotated, { ttlSeconds: 600 })).toBe('verifier');
  });

  it('refuses to rotate a token no configured key opens', () => {
    const stranger = createTokenCodec({ keys: [generateFernetKey()] }).encrypt('x');
    expect(tokenCodecRefusal(() => createTokenCodec({ keys: [generateFernetKey()] }).rotate(stranger)).reason).toBe('bad_signature');
  });
});

describe('text', () => {
  it('round-trips UTF-8', () => {
    const codec = createTokenCodec({ keys: [generateFernetKey()] });
    expect(codec.decrypt(codec.encrypt('act.ü🎬'))).toBe('act.ü🎬');
  });

  it('refuses to return bytes that are not UTF-8 as text', () => {
    const codec = createTokenCodec({ keys: [generateFernetKey()] });
    expect(tokenCodecRefusal(() => codec.decrypt(codec.encryptBytes(Buffer.from([0xff, 0xfe])))).reason).toBe('not_utf8');
  });

  it('uses the injected clock for the TTL', () => {
    const key = generateFernetKey();
    const token = createTokenCodec({ keys: [key], clock: at(5_000) }).encrypt('x');
    expect(tokenCodecRefusal(() => createTokenCodec({ keys: [key], clock: at(5_011) }).decrypt(token, { ttlSeconds: 10 })).reason).toBe(
      'expired',
    );
  });
});

describe('the key ring from ENCRYPTION_KEYS and ENCRYPTION_KEY', () => {
  const [a, b] = [generateFernetKey(), generateFernetKey()];

  // Splitting and trimming the variables' text is the server configuration's (apps/server/src/settings-of-config.test.ts).
  it('keeps ENCRYPTION_KEYS newest first, dropping duplicates', () => {
    expect(encryptionKeyRing({ keys: [a, b, a] })).toEqual([a, b]);
  });

  it('accepts ENCRYPTION_KEY alone, as the seed sets it', () => {
    expect(encryptionKeyRing({ keys: [], key: a })).toEqual([a]);
  });

  it('accepts both when ENCRYPTION_KEY is one of ENCRYPTION_KEYS', () => {
    expect(encryptionKeyRing({ keys: [b, a], key: a })).toEqual([b, a]);
  });

  it('refuses ENCRYPTION_KEY missing from ENCRYPTION_KEYS, since its rows would become unreadable', () => {
    const error = tokenCodecRefusal(() => encryptionKeyRing({ keys: [b], key: a }));
    expect(error.message).toMatch(/ENCRYPTION_KEY is set but is not one of ENCRYPTION_KEYS/);
  });

  it('refuses a configuration without keys', () => {
    expect(tokenCodecRefusal(() => encryptionKeyRing({ keys: [] })).reason).toBe('no_keys');
    expect(tokenCodecRefusal(() => createTokenCodec({ keys: [] })).reason).toBe('no_keys');
  });

  it('names the bad entry by position, never by value', () => {
    const bad = `${a.slice(0, 20)}!!!${a.slice(23)}`;
    const error = tokenCodecRefusal(() => createTokenCodec({ keys: encryptionKeyRing({ keys: [b, bad] }) }));
    expect(error.reason).toBe('invalid_key');
    expect(error.message).toContain('ENCRYPTION_KEYS entry #2');
    for (const text of [error.message, JSON.stringify(error), inspect(error)]) {
      expect(text).not.toContain(bad);
      expect(text).not.toContain(a.slice(0, 20));
      expect(text).not.toContain(b);
    }
  });
});

describe('secrets stay out of errors and logs', () => {
  const key = generateFernetKey();
  const codec = createTokenCodec({ keys: [key], clock: at(1_760_000_010) });

  it('a codec shows no key when logged or serialised', () => {
    for (const text of [inspect(codec, { showHidden: true, depth: 5 }), JSON.stringify(codec)]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(Buffer.from(key, 'base64url').subarray(0, 16).toString('hex'));
    }
  });

  it.each(python.invalid)('the error for "$reason" carries only a reason and a fixed message', (invalid) => {
    const { token, key: caseKey, now, ttl } = invalid;
    const error = tokenCodecRefusal(() => createTokenCodec({ keys: [caseKey], clock: at(now) }).decrypt(token, { ttlSeconds: ttl }));
    expect(error.cause).toBeUndefined();
    expect(Object.keys(error).sort()).toEqual(['name', 'reason']);
    const everything = [error.message, error.stack ?? '', JSON.stringify(error), inspect(error, { showHidden: true })];
    for (const text of everything) {
      if (token.length > 0) expect(text).not.toContain(token.slice(10, 40));
      expect(text).not.toContain(caseKey);
    }
  });

  it('the error for a token sealed under another key does not contain the plaintext', () => {
    const sealed = createTokenCodec({ keys: [generateFernetKey()] }).encrypt('act.super-secret-access-token');
    const error = tokenCodecRefusal(() => codec.decrypt(sealed));
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toMatch(/super-secret/);
  });
});
