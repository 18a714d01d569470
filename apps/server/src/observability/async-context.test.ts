import { describe, expect, it } from 'vitest';
import { asyncContextAdvice } from './async-context.js';

describe('the advice for tracing on this Node', () => {
  it('is nothing on Node 24, whose AsyncLocalStorage hooks no promise', () => {
    expect(asyncContextAdvice({ version: '24.22.0', flags: [] })).toBeUndefined();
  });

  it('on Node 22 names the flag that gives it Node 24’s AsyncLocalStorage', () => {
    expect(asyncContextAdvice({ version: '22.23.5', flags: [] })).toMatch(/--experimental-async-context-frame .*experimental on Node 22/);
  });

  it('is nothing on Node 22 started with that flag, on the command line or in NODE_OPTIONS', () => {
    expect(asyncContextAdvice({ version: '22.23.5', flags: ['--experimental-async-context-frame'] })).toBeUndefined();
  });

  it('on Node 20, which has no such flag, points to Node 24', () => {
    const advice = asyncContextAdvice({ version: '20.20.2', flags: [] });
    expect(advice).toMatch(/on Node 24 it does not/);
    expect(advice).not.toMatch(/--experimental-async-context-frame/);
  });
});
