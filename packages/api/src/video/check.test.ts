import { describe, expect, it } from 'vitest';
import { checkVideoUrl } from './check.js';
import { createVideoUrlPolicy } from './policy.js';
import { refusalOf } from '../../test/video-refusal.js';

const BUCKET = 'https://proj.supabase.co/storage/v1/object/public/videos/';
const production = createVideoUrlPolicy({ allowedPrefixes: [BUCKET] });
const demo = createVideoUrlPolicy({
  allowedPrefixes: ['http://127.0.0.1:3001/demo-media/'],
  allowHttp: true,
  allowPrivateAddresses: true,
});

describe('checkVideoUrl accepts', () => {
  it('a https URL under the verified bucket, returned normalised', () => {
    expect(checkVideoUrl(`${BUCKET}task-1/video.mp4`, production).href).toBe(`${BUCKET}task-1/video.mp4`);
  });

  it('an upper-case host and an explicit default port, as the same host', () => {
    const url = checkVideoUrl('https://PROJ.SUPABASE.CO:443/storage/v1/object/public/videos/a.mp4', production);
    expect(url.href).toBe(`${BUCKET}a.mp4`);
  });

  it('a query string (signed URLs carry one) and drops the fragment', () => {
    expect(checkVideoUrl(`${BUCKET}a.mp4?token=abc#t=10`, production).href).toBe(`${BUCKET}a.mp4?token=abc`);
  });

  it('a public IPv4 literal under an allow-listed prefix', () => {
    const policy = createVideoUrlPolicy({ allowedPrefixes: ['https://93.184.215.14/videos/'] });
    expect(checkVideoUrl('https://93.184.215.14/videos/a.mp4', policy).hostname).toBe('93.184.215.14');
  });

  it("the demo's own loopback prefix when the demo policy allows http and private addresses", () => {
    expect(checkVideoUrl('http://127.0.0.1:3001/demo-media/sample.mp4', demo).port).toBe('3001');
  });

  it('a prefix without a trailing slash, on a path-segment boundary', () => {
    const policy = createVideoUrlPolicy({ allowedPrefixes: ['https://cdn.example.com/videos'] });
    expect(checkVideoUrl('https://cdn.example.com/videos/a.mp4', policy).pathname).toBe('/videos/a.mp4');
  });
});

// Each row: [what it tries, input, the refusal reason expected]. All refused before any network I/O (this function
// has none) with VIDEO_URL_NOT_ALLOWED.
const refused: Array<[string, string, string]> = [
  // Not a usable URL
  ['an empty string', '', 'invalid_url'],
  ['a relative path', '/storage/v1/object/public/videos/a.mp4', 'invalid_url'],
  ['a URL longer than 2048 characters', `${BUCKET}${'a'.repeat(2100)}.mp4`, 'too_long'],
  ['a space in the URL', `${BUCKET}my video.mp4`, 'unsafe_characters'],
  ['a newline smuggled into the URL', `${BUCKET}a.mp4\nHost: evil.net`, 'unsafe_characters'],
  ['a leading space', ` ${BUCKET}a.mp4`, 'unsafe_characters'],
  [
    'a backslash (parsers disagree on it)',
    'https://proj.supabase.co\\@evil.net/storage/v1/object/public/videos/a.mp4',
    'unsafe_characters',
  ],
  ['an IPv6 zone id', 'https://[fe80::1%25eth0]/a.mp4', 'invalid_url'],
  // Schemes
  ['plain http', 'http://proj.supabase.co/storage/v1/object/public/videos/a.mp4', 'scheme'],
  ['file:', 'file:///etc/passwd', 'scheme'],
  ['gopher:', 'gopher://proj.supabase.co:70/_GET%20/', 'scheme'],
  ['data:', 'data:video/mp4;base64,AAAAIGZ0eXBpc29t', 'scheme'],
  ['ftp:', 'ftp://proj.supabase.co/storage/v1/object/public/videos/a.mp4', 'scheme'],
  ['javascript:', 'javascript:alert(1)', 'scheme'],
  ['ws:', 'ws://proj.supabase.co/storage/v1/object/public/videos/a.mp4', 'scheme'],
  ['dict:', 'dict://127.0.0.1:11211/stat', 'scheme'],
  // Credentials and user@host tricks
  ['a user and password', 'https://user:secret@proj.supabase.co/storage/v1/object/public/videos/a.mp4', 'credentials'],
  [
    'the allowed host as a user name before another host',
    'https://proj.supabase.co@evil.net/storage/v1/object/public/videos/a.mp4',
    'credentials',
  ],
  [
    'an empty user name and a password',
    'https://:secret@proj.supabase.co/storage/v1/object/public/videos/a.mp4',
    'credentials',
  ],
  // Prefix matching on parsed parts
  [
    'the allowed host as a subdomain of another',
    'https://proj.supabase.co.evil.net/storage/v1/object/public/videos/a.mp4',
    'not_allowed_prefix',
  ],
  ['another host with the same path', 'https://evil.net/storage/v1/object/public/videos/a.mp4', 'not_allowed_prefix'],
  ['a sibling host', 'https://other.supabase.co/storage/v1/object/public/videos/a.mp4', 'not_allowed_prefix'],
  ['a trailing-dot host', 'https://proj.supabase.co./storage/v1/object/public/videos/a.mp4', 'not_allowed_prefix'],
  ['another port', 'https://proj.supabase.co:8443/storage/v1/object/public/videos/a.mp4', 'not_allowed_prefix'],
  [
    'a sibling bucket sharing the name as a prefix',
    'https://proj.supabase.co/storage/v1/object/public/videos-private/a.mp4',
    'not_allowed_prefix',
  ],
  ['dot segments climbing out of the bucket', `${BUCKET}../../sign/private/a.mp4`, 'not_allowed_prefix'],
  [
    'encoded dot segments climbing out of the bucket',
    `${BUCKET}%2e%2e/%2E%2E/sign/private/a.mp4`,
    'not_allowed_prefix',
  ],
  ['encoded slashes that a server might decode into a traversal', `${BUCKET}..%2f..%2fsign/a.mp4`, 'encoded_separator'],
  ['encoded backslashes', `${BUCKET}..%5c..%5csign/a.mp4`, 'encoded_separator'],
  [
    'the private signed-object endpoint',
    'https://proj.supabase.co/storage/v1/object/sign/videos/a.mp4',
    'not_allowed_prefix',
  ],
  // IP literals in every spelling
  ['IPv4 loopback', 'https://127.0.0.1/a.mp4', 'private_address'],
  ['loopback as one decimal number', 'https://2130706433/a.mp4', 'private_address'],
  ['loopback in octal', 'https://0177.0.0.1/a.mp4', 'private_address'],
  ['loopback in short hex', 'https://0x7f.1/a.mp4', 'private_address'],
  ['loopback as one hex number', 'https://0x7f000001/a.mp4', 'private_address'],
  ['loopback in short form', 'https://127.1/a.mp4', 'private_address'],
  ['another loopback address', 'https://127.53.0.9/a.mp4', 'private_address'],
  ['IPv6 loopback', 'https://[::1]/a.mp4', 'private_address'],
  ['IPv4-mapped IPv6 loopback, dotted', 'https://[::ffff:127.0.0.1]/a.mp4', 'private_address'],
  ['IPv4-mapped IPv6 loopback, hex', 'https://[::ffff:7f00:1]/a.mp4', 'private_address'],
  ['IPv4-compatible IPv6 loopback', 'https://[::127.0.0.1]/a.mp4', 'private_address'],
  [
    'IPv4-mapped metadata address in full form',
    'https://[0:0:0:0:0:ffff:a9fe:a9fe]/latest/meta-data/',
    'private_address',
  ],
  ['NAT64 prefix around a private address', 'https://[64:ff9b::a00:1]/a.mp4', 'private_address'],
  ['the cloud metadata service', 'https://169.254.169.254/latest/meta-data/', 'private_address'],
  ['the metadata service in decimal', 'https://2852039166/latest/meta-data/', 'private_address'],
  ['RFC 1918 10/8', 'https://10.0.0.1/a.mp4', 'private_address'],
  ['RFC 1918 172.16/12', 'https://172.16.5.4/a.mp4', 'private_address'],
  ['RFC 1918 192.168/16', 'https://192.168.1.1/a.mp4', 'private_address'],
  ['carrier-grade NAT', 'https://100.64.0.1/a.mp4', 'private_address'],
  ['the unspecified address', 'https://0.0.0.0/a.mp4', 'private_address'],
  ['the unspecified address as 0', 'https://0/a.mp4', 'private_address'],
  ['IPv6 unspecified', 'https://[::]/a.mp4', 'private_address'],
  ['IPv4 multicast', 'https://224.0.0.1/a.mp4', 'private_address'],
  ['IPv4 broadcast', 'https://255.255.255.255/a.mp4', 'private_address'],
  ['a documentation range (TEST-NET-3)', 'https://203.0.113.7/a.mp4', 'private_address'],
  ['IPv6 link-local', 'https://[fe80::1]/a.mp4', 'private_address'],
  ['IPv6 unique-local fc00::/7', 'https://[fd12:3456::1]/a.mp4', 'private_address'],
  ['IPv6 multicast', 'https://[ff02::1]/a.mp4', 'private_address'],
  ['6to4 (may tunnel to any IPv4)', 'https://[2002:7f00:1::1]/a.mp4', 'private_address'],
  // Names that are this machine by definition
  ['localhost', 'https://localhost/a.mp4', 'private_address'],
  ['a name under .localhost', 'https://videos.localhost/a.mp4', 'private_address'],
];

describe('checkVideoUrl refuses, before any network I/O,', () => {
  it.each(refused)('%s', async (_what, input, reason) => {
    const refusal = await refusalOf(() => checkVideoUrl(input, production));
    expect(refusal).toMatchObject({ code: 'VIDEO_URL_NOT_ALLOWED', reason });
  });

  it('every row above with an actionable message and hint', async () => {
    for (const [, input] of refused) {
      const refusal = await refusalOf(() => checkVideoUrl(input, production));
      expect(refusal.message.length).toBeGreaterThan(20);
      expect(refusal.hint).toBeTruthy();
    }
  });
});

describe('checkVideoUrl with the demo policy (http and private addresses on)', () => {
  it('still refuses anything outside the allow-listed prefix', async () => {
    for (const input of [
      'http://127.0.0.1:3002/demo-media/a.mp4',
      'http://10.0.0.1/a.mp4',
      `${BUCKET}a.mp4`,
      'http://localhost:3001/demo-media/a.mp4',
    ]) {
      expect(await refusalOf(() => checkVideoUrl(input, demo))).toMatchObject({ reason: 'not_allowed_prefix' });
    }
  });

  it('still refuses the unspecified, multicast and broadcast addresses', async () => {
    for (const input of [
      'http://0.0.0.0:3001/demo-media/a.mp4',
      'http://224.0.0.1/demo-media/a.mp4',
      'http://255.255.255.255/a.mp4',
    ]) {
      expect(await refusalOf(() => checkVideoUrl(input, demo))).toMatchObject({ reason: 'private_address' });
    }
  });
});

describe('checkVideoUrl with only an explicit private address allow-list', () => {
  const policy = createVideoUrlPolicy({
    allowedPrefixes: ['http://127.0.0.1:3001/', 'http://127.0.0.2:3001/'],
    allowHttp: true,
    privateAddressAllowList: ['127.0.0.1'],
  });

  it('accepts the listed address', () => {
    expect(checkVideoUrl('http://127.0.0.1:3001/a.mp4', policy).hostname).toBe('127.0.0.1');
  });

  it('refuses a private address that is not listed, even under an allowed prefix', async () => {
    expect(await refusalOf(() => checkVideoUrl('http://127.0.0.2:3001/a.mp4', policy))).toMatchObject({
      reason: 'private_address',
    });
  });
});

describe('checkVideoUrl messages', () => {
  it('never repeat a password or a query token from the URL', async () => {
    const withPassword = await refusalOf(() =>
      checkVideoUrl('https://user:hunter2@proj.supabase.co/storage/v1/object/public/videos/a.mp4', production),
    );
    const withToken = await refusalOf(() => checkVideoUrl('https://evil.net/a.mp4?token=s3cr3t-token', production));
    for (const refusal of [withPassword, withToken]) {
      const shown = JSON.stringify(refusal);
      expect(shown).not.toContain('hunter2');
      expect(shown).not.toContain('s3cr3t-token');
    }
  });

  it('point at the configured prefixes without listing them when the URL is elsewhere (the storage layout is the operator’s)', async () => {
    const refusal = await refusalOf(() => checkVideoUrl('https://evil.net/a.mp4', production));
    expect(refusal.details).toEqual({ reason: 'not_allowed_prefix' });
    expect(refusal.hint).toContain('VIDEO_URL_PREFIXES');
    expect(refusal.hint).not.toContain(BUCKET);
  });
});
