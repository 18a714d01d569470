import { describe, expect, it } from 'vitest';
import { writeDurably } from './durable-write.js';

const restarting = () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

describe('a write recording what TikTok did', () => {
  it('waits out a database that is restarting, then lands', async () => {
    let attempts = 0;
    const stored = await writeDurably(
      async () => {
        attempts += 1;
        if (attempts < 3) throw restarting();
        return 'stored';
      },
      { giveUpAfterMs: 5_000, firstPauseMs: 10 },
    );
    expect(stored).toBe('stored');
    expect(attempts).toBe(3);
  });

  it('is not retried for an error the database will repeat (a constraint, a bug)', async () => {
    let attempts = 0;
    const duplicate = Object.assign(new Error('duplicate key value'), { code: '23505' });
    await expect(
      writeDurably(
        async () => {
          attempts += 1;
          throw duplicate;
        },
        { giveUpAfterMs: 5_000, firstPauseMs: 10 },
      ),
    ).rejects.toBe(duplicate);
    expect(attempts).toBe(1);
  });

  it('gives up when the database stays away past its limit, so the sweep can take over', async () => {
    const started = Date.now();
    await expect(writeDurably(() => Promise.reject(restarting()), { giveUpAfterMs: 200, firstPauseMs: 20 })).rejects.toMatchObject({ code: '57P01' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
