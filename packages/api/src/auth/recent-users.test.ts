import { describe, expect, it } from 'vitest';
import { RecentUsers, type UserRef } from './users.js';

const user = (sub: string): UserRef => ({ id: `id-${sub}`, sub, email: `${sub}@example.com` });

describe('RecentUsers', () => {
  it('answers for a user seen within the time to live', () => {
    let now = 0;
    const recent = new RecentUsers({ ttlMs: 1_000, maxEntries: 10 }, () => now);
    recent.remember(user('ada'));
    now = 1_000;
    expect(recent.get('ada')).toEqual(user('ada'));
  });

  it('forgets a user once the time to live has passed', () => {
    let now = 0;
    const recent = new RecentUsers({ ttlMs: 1_000, maxEntries: 10 }, () => now);
    recent.remember(user('ada'));
    now = 1_001;
    expect(recent.get('ada')).toBeUndefined();
  });

  it('makes room by forgetting the user seen longest ago', () => {
    const recent = new RecentUsers({ ttlMs: 1_000, maxEntries: 2 });
    recent.remember(user('ada'));
    recent.remember(user('grace'));
    recent.remember(user('ada'));
    recent.remember(user('linus'));
    expect([recent.get('ada'), recent.get('grace'), recent.get('linus')].map((found) => found?.sub)).toEqual(['ada', undefined, 'linus']);
  });
});
