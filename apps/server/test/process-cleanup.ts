import type { TestDatabase } from '@reelpost/db/testing';
import { afterEach } from 'vitest';
import type { Child } from './processes.js';

/**
 * For a test file that starts real processes: what each test pushes here is gone after it — a child still running
 * is killed (and awaited), a test database dropped — so no server outlives its test to answer the next one.
 */
export function useProcessCleanup(): { children: Child[]; databases: TestDatabase[] } {
  const children: Child[] = [];
  const databases: TestDatabase[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) {
        child.process.kill('SIGKILL');
        await child.exited;
      }
    }
    for (const database of databases.splice(0)) await database.drop();
  });
  return { children, databases };
}
