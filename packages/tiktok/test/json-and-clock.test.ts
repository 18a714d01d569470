import { describe, expect, it } from 'vitest';
import { createManualClock, parseJsonKeepingLargeIntegers, systemTikTokClock } from '../src/index.js';

describe('parseJsonKeepingLargeIntegers', () => {
  it('keeps integers beyond 2^53 as exact strings', () => {
    expect(parseJsonKeepingLargeIntegers('{"ids":[7234567890123456789,-9234567890123456789],"n":42}')).toEqual({
      ids: ['7234567890123456789', '-9234567890123456789'],
      n: 42,
    });
  });

  it('leaves safe integers, decimals, exponents and strings alone', () => {
    expect(parseJsonKeepingLargeIntegers('{"a":9007199254740991,"b":1.5,"c":1e21,"d":"7234567890123456789","e":"\\"12345678901234567890"}')).toEqual({
      a: 9007199254740991,
      b: 1.5,
      c: 1e21,
      d: '7234567890123456789',
      e: '"12345678901234567890',
    });
  });

  it('still throws on text that is not JSON', () => {
    expect(() => parseJsonKeepingLargeIntegers('{"a":')).toThrow(SyntaxError);
  });
});

describe('clocks', () => {
  it('the system clock tells the time and sleeps for real', async () => {
    const before = systemTikTokClock.now();
    await systemTikTokClock.sleep(5);
    expect(systemTikTokClock.now()).toBeGreaterThanOrEqual(before + 4);
  });

  it('the system clock stops sleeping when aborted', async () => {
    const controller = new AbortController();
    const sleeping = systemTikTokClock.sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    await expect(systemTikTokClock.sleep(1, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });

  it('a manual clock moves only when told, and a sleep moves it at once', async () => {
    const clock = createManualClock(1_000);
    clock.advance(500);
    await clock.sleep(250);
    expect(clock.now()).toBe(1_750);
    clock.set(5);
    expect(clock.now()).toBe(5);
    await expect(clock.sleep(1, AbortSignal.abort(new Error('no')))).rejects.toThrow('no');
  });
});
