import { describe, expect, it } from 'vitest';
import { createEmulatorClock } from '../src/clock.js';
import { createIdSource } from '../src/ids.js';

describe("the emulator's clock", () => {
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
