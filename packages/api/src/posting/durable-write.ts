import { setTimeout as sleep } from 'node:timers/promises';
import { isDatabaseUnavailable } from '@reelpost/db';

export interface DurableWriteOptions {
  /** Stop trying after this long and let the error through (the sweep then takes over from the post's state). */
  giveUpAfterMs: number;
  /** First pause between attempts; doubles up to maxPauseMs. */
  firstPauseMs?: number;
  maxPauseMs?: number;
}

/**
 * Runs a write that records what TikTok already did (a publish_id it issued, a refusal, an unknown outcome) until
 * the database takes it. Such a write is the only record of an event that cannot be repeated: dropping it because
 * Postgres was restarting would leave a post TikTok has with no trace of it here. Only an unavailable database is
 * waited out; any other error (a bug, a constraint) is thrown at once.
 */
export async function writeDurably<T>(write: () => Promise<T>, options: DurableWriteOptions): Promise<T> {
  const giveUpAt = Date.now() + options.giveUpAfterMs;
  let pause = options.firstPauseMs ?? 100;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + pause > giveUpAt) throw error;
      await sleep(pause);
      pause = Math.min(pause * 2, options.maxPauseMs ?? 2_000);
    }
  }
}
