import { describe, expect, it } from 'vitest';
import { createManualClock, parseJsonKeepingLargeIntegers, systemClock } from '../src/index.js';
import { createEmulatorClock } from '../src/emulator/clock.js';
import { createIdSource } from '../src/emulator/ids.js';

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
    const before = systemClock.now();
    await systemClock.sleep(5);
    expect(systemClock.now()).toBeGreaterThanOrEqual(before + 4);
  });

  it('the system clock stops sleeping when aborted', async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    await expect(systemClock.sleep(1, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
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

  it("the emulator's real clock follows the wall clock plus what was advanced", async () => {
    const clock = createEmulatorClock('real', 0);
    const before = Date.now();
    clock.advance(60_000);
    expect(clock.now()).toBeGreaterThanOrEqual(before + 60_000);
    await clock.sleep(1);
    const controller = new AbortController();
    const sleeping = clock.sleep(60_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(sleeping).rejects.toThrow('cancelled');
    await expect(clock.sleep(1, AbortSignal.abort(new Error('early')))).rejects.toThrow('early');
  });
});

describe('seeded ids', () => {
  it('repeat for the same seed and differ for another', () => {
    const a = createIdSource('one');
    const b = createIdSource('one');
    expect([a.uuid(), a.digits(19), a.hex(70)]).toEqual([b.uuid(), b.digits(19), b.hex(70)]);
    expect(createIdSource('two').hex(8)).not.toBe(createIdSource('one').hex(8));
    expect(a.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
