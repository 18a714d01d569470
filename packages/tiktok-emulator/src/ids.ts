import { createHash } from 'node:crypto';

/**
 * Deterministic ids: the n-th id drawn from a seed is always the same, so a test run (and its snapshots and logs)
 * repeats exactly. Not secret: the emulator's tokens are test credentials.
 */
export interface IdSource {
  hex(length: number): string;
  digits(length: number): string;
  uuid(): string;
  token(prefix: string): string;
}

export function createIdSource(seed: string): IdSource {
  let counter = 0;
  const draw = (length: number): string => {
    let out = '';
    while (out.length < length) {
      counter += 1;
      out += createHash('sha256').update(`${seed}:${counter}`).digest('hex');
    }
    return out.slice(0, length);
  };
  return {
    hex: draw,
    digits: (length) =>
      draw(length)
        .split('')
        .map((ch) => String(parseInt(ch, 16) % 10))
        .join(''),
    uuid: () => {
      const h = draw(32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    // TikTok's tokens look like "act.<opaque>" and "rft.<opaque>".
    token: (prefix) => `${prefix}.${draw(48)}!${draw(4)}.va`,
  };
}
