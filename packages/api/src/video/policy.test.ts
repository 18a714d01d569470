import { describe, expect, it } from 'vitest';
import { createVideoUrlPolicy, TIKTOK_MAX_VIDEO_BYTES } from './policy.js';

const BUCKET = 'https://proj.supabase.co/storage/v1/object/public/videos/';

describe('createVideoUrlPolicy', () => {
  it('defaults to production: https only, no private addresses, TikTok’s 4 GB, 3 redirects', () => {
    expect(createVideoUrlPolicy({ allowedPrefixes: [BUCKET] })).toMatchObject({
      allowPrivateAddresses: false,
      privateAddressAllowList: [],
      allowHttp: false,
      maxBytes: TIKTOK_MAX_VIDEO_BYTES,
      maxRedirects: 3,
    });
  });

  it('normalises prefixes once (host case, default port)', () => {
    const policy = createVideoUrlPolicy({
      allowedPrefixes: ['https://PROJ.supabase.co:443/storage/v1/object/public/videos/'],
    });
    expect(policy.allowedPrefixes[0]).toMatchObject({ href: BUCKET, hostname: 'proj.supabase.co', port: '' });
  });

  it.each([
    ['no prefix at all', { allowedPrefixes: [] }],
    ['a prefix that is not a URL', { allowedPrefixes: ['proj.supabase.co/videos/'] }],
    ['an http prefix without allowHttp', { allowedPrefixes: ['http://127.0.0.1:3001/demo-media/'] }],
    ['a non-http prefix', { allowedPrefixes: ['ftp://proj.supabase.co/videos/'] }],
    ['a prefix with credentials', { allowedPrefixes: ['https://user:pw@proj.supabase.co/videos/'] }],
    ['a prefix with a query', { allowedPrefixes: [`${BUCKET}?x=1`] }],
    ['a prefix with an empty fragment', { allowedPrefixes: [`${BUCKET}#`] }],
    [
      'an allow-list entry that is not an address',
      { allowedPrefixes: [BUCKET], privateAddressAllowList: ['localhost'] },
    ],
    ['a negative size limit', { allowedPrefixes: [BUCKET], maxBytes: -1 }],
  ])('refuses at start-up %s', (_what, input) => {
    expect(() => createVideoUrlPolicy(input)).toThrow();
  });
});
