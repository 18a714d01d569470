import { createTestDatabase } from '@reelpost/db/testing';
import { describe, expect, it } from 'vitest';
import { useProcessCleanup } from './process-cleanup.js';
import { demoServerEnv, startDemoServer, startEmulatorProcess } from './processes.js';

const { children, databases } = useProcessCleanup();

const READS = 20;

async function running(env: Record<string, string>) {
  const { url, token } = await startDemoServer(env, children);
  return { url: url.replace('//localhost:', '//127.0.0.1:'), token };
}

// Two built servers on one database, as behind a load balancer: one user's reads are counted once, whichever
// process answers them (the counts live in Postgres, not in either process).
describe('the request rate limits across server processes', { timeout: 60_000 }, () => {
  it('two processes allow one user the limit between them, not the limit each', async () => {
    const emulator = await startEmulatorProcess();
    children.push(emulator.child);
    const database = await createTestDatabase();
    databases.push(database);
    const env = demoServerEnv(database.url, { TIKTOK_EMULATOR_URL: emulator.url, WORKER: 'off', RATE_LIMIT_READS: String(READS) });
    const servers = [await running(env), await running(env)];
    const statuses: number[] = [];
    for (let i = 0; i < 2 * READS; i++) {
      const { url, token } = servers[i % 2]!;
      const response = await fetch(`${url}/api/v1/tasks`, { headers: { authorization: `Bearer ${token}` } });
      statuses.push(response.status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(READS);
    expect(statuses.filter((status) => status !== 200).every((status) => status === 429)).toBe(true);
  });
});
