import { describe, expect, it } from 'vitest';
import { loggableUrl } from './logger.js';

describe('loggableUrl', () => {
  it('gives a URL without secret-bearing parameters as its path and query, unchanged', () => {
    const url = 'http://127.0.0.1:3000/trpc/tasks.detail?batch=1&input=%7B%220%22%3A%7B%7D%7D';
    expect(loggableUrl(url)).toBe('/trpc/tasks.detail?batch=1&input=%7B%220%22%3A%7B%7D%7D');
    expect(loggableUrl(url)).toBe(`${new URL(url).pathname}${new URL(url).search}`);
  });

  it('masks secret parameters however their names are spelt', () => {
    expect(loggableUrl('http://h/tiktok/callback?code=abc&state=xyz')).toBe('/tiktok/callback?code=%5Bredacted%5D&state=%5Bredacted%5D');
    expect(loggableUrl('http://h/x?%63ode=abc')).toBe('/x?code=%5Bredacted%5D');
  });
});
