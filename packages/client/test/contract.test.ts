import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT_FILE, renderContract } from '../scripts/generate-contract.js';
import { REELPOST_ERROR_CODES } from '../src/index.js';

describe('the published contract', () => {
  it('is what scripts/generate-contract.ts prints from the router today (else: pnpm --filter @reelpost/client generate)', () => {
    expect(readFileSync(CONTRACT_FILE, 'utf8')).toBe(renderContract());
  }, 60_000);

  it('has every error code explained in the README’s table', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    expect(documented.toSorted()).toEqual([...REELPOST_ERROR_CODES].sort());
  });
});
