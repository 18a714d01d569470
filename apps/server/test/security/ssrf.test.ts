import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '@reelpost/api/testing/video-servers';
import { seedAccount, seedOwner, STORAGE_PREFIX, useProductionLikeServer } from './production.js';
import { assertRefusedWithoutIo, postOverBothSurfaces, type SsrfCase } from './ssrf.js';

// SSRF through posting, under the production policy (https only, verified prefixes, no private addresses), built
// through startRuntime's environment. A task's video URL is the attacker's input: each of issue 9's cases goes
// through tiktok.post over tRPC and REST and must be refused before anything is fetched — the listeners the URLs aim
// at count TCP connections (0), and the TikTok emulator counts calls (0: not even creator info).
//
// The one allow-listed host reachable here is this machine's own name: it is verified as a prefix and resolves to a
// loopback address (/etc/hosts), which is what DNS rebinding or a hijacked storage record looks like. The guard must
// refuse it at connect time.

const machine = hostname();
let trap: TestServer;
let trap6: TestServer;
beforeAll(async () => {
  trap = await startServer((_request, response) => response.writeHead(200, { 'content-type': 'video/mp4' }).end('not a video'));
  trap6 = await startServer((_request, response) => response.writeHead(200).end(), { host: '::1' });
});
afterAll(async () => {
  await trap?.close();
  await trap6?.close();
});

const production = useProductionLikeServer({
  env: () => ({ VIDEO_URL_PREFIXES: `${STORAGE_PREFIX},https://${machine}:${trap.port}/videos/` }),
});
const server = () => production.server();

let owner: { instanceId: string; token: string };
beforeAll(async () => {
  const { runtime } = server();
  const seeded = await seedOwner(runtime.deps.db, 'oidc|ssrf');
  await seedAccount(runtime.deps, production.emulator(), seeded.instanceId);
  owner = { instanceId: seeded.instanceId, token: await production.userToken('oidc|ssrf') };
});

/** The cases, aimed at the listeners' ports (P on 127.0.0.1, P6 on ::1). */
const casesFor = (P: number, P6: number): SsrfCase[] => [
  { label: 'http://', url: `http://${machine}:${P}/videos/a.mp4`, reason: 'scheme' },
  { label: 'http:// under the storage host', url: 'http://storage.reelpost.test/videos/a.mp4', reason: 'scheme' },
  { label: 'HTTP:// in capitals', url: `HTTP://127.0.0.1:${P}/videos/a.mp4`, reason: 'scheme' },
  { label: 'file://', url: 'file:///etc/passwd', reason: null, code: 'NO_VIDEO_OUTPUT' },
  { label: 'file:// with a video extension', url: 'file:///var/lib/videos/a.mp4', reason: null, code: 'NO_VIDEO_OUTPUT' },
  { label: 'gopher://', url: `gopher://127.0.0.1:${P}/_GET%20/videos/a.mp4`, reason: null, code: 'NO_VIDEO_OUTPUT' },
  { label: 'data:', url: 'data:video/mp4;base64,AAAA', reason: null, code: 'NO_VIDEO_OUTPUT' },
  { label: '127.0.0.1', url: `https://127.0.0.1:${P}/videos/a.mp4`, reason: 'private_address' },
  { label: '[::1]', url: `https://[::1]:${P6}/videos/a.mp4`, reason: 'private_address' },
  { label: '0.0.0.0 (reaches this machine on Linux)', url: `https://0.0.0.0:${P}/videos/a.mp4`, reason: 'private_address' },
  { label: '[::] (reaches this machine)', url: `https://[::]:${P6}/videos/a.mp4`, reason: 'private_address' },
  { label: '169.254.169.254 (cloud metadata)', url: 'https://169.254.169.254/latest/meta-data/iam/security-credentials/', reason: 'private_address', offMachine: true },
  { label: '10.0.0.1', url: 'https://10.0.0.1/videos/a.mp4', reason: 'private_address', offMachine: true },
  { label: '192.168.1.1', url: 'https://192.168.1.1/videos/a.mp4', reason: 'private_address', offMachine: true },
  { label: 'decimal 127.0.0.1 (2130706433)', url: `https://2130706433:${P}/videos/a.mp4`, reason: 'private_address' },
  { label: 'decimal 169.254.169.254 (2852039166)', url: 'https://2852039166/latest/meta-data/', reason: 'private_address', offMachine: true },
  { label: 'octal 127.0.0.1 (0177.0.0.1)', url: `https://0177.0.0.1:${P}/videos/a.mp4`, reason: 'private_address' },
  { label: 'octal 10.0.0.1 (012.0.0.1)', url: 'https://012.0.0.1/videos/a.mp4', reason: 'private_address', offMachine: true },
  { label: 'hex 127.0.0.1 (0x7f000001)', url: `https://0x7f000001:${P}/videos/a.mp4`, reason: 'private_address' },
  { label: 'hex dotted (0x7f.0x0.0x0.0x1)', url: `https://0x7f.0x0.0x0.0x1:${P}/videos/a.mp4`, reason: 'private_address' },
  { label: 'short form (127.1)', url: `https://127.1:${P}/videos/a.mp4`, reason: 'private_address' },
  { label: 'IPv4-mapped IPv6 ([::ffff:127.0.0.1])', url: `https://[::ffff:127.0.0.1]:${P}/videos/a.mp4`, reason: 'private_address' },
  { label: 'IPv4-mapped IPv6, hex ([::ffff:7f00:1])', url: `https://[::ffff:7f00:1]:${P}/videos/a.mp4`, reason: 'private_address' },
  { label: 'IPv4-mapped metadata ([::ffff:a9fe:a9fe])', url: 'https://[::ffff:a9fe:a9fe]/latest/meta-data/', reason: 'private_address', offMachine: true },
  { label: 'NAT64 loopback ([64:ff9b::7f00:1])', url: `https://[64:ff9b::7f00:1]:${P}/videos/a.mp4`, reason: 'private_address', offMachine: true },
  { label: 'unique-local IPv6 ([fd00::1])', url: 'https://[fd00::1]/videos/a.mp4', reason: 'private_address', offMachine: true },
  { label: 'user@host: the storage host as a user name', url: `https://storage.reelpost.test@127.0.0.1:${P}/videos/a.mp4`, reason: 'credentials' },
  { label: 'user:password@host', url: `https://storage.reelpost.test:443@127.0.0.1:${P}/videos/a.mp4`, reason: 'credentials' },
  { label: 'user@host aimed off the machine', url: 'https://storage.reelpost.test@169.254.169.254/videos/a.mp4', reason: 'credentials', offMachine: true },
  { label: 'backslash before @ (parsers disagree)', url: `https://127.0.0.1:${P}\\@storage.reelpost.test/videos/a.mp4`, reason: 'unsafe_characters' },
  { label: '# before @ (the host is 127.0.0.1)', url: `https://127.0.0.1:${P}#@storage.reelpost.test/videos/a.mp4`, reason: 'private_address' },
  { label: 'encoded @ in the host', url: `https://storage.reelpost.test%40127.0.0.1:${P}/videos/a.mp4`, reason: null, code: 'NO_VIDEO_OUTPUT' },
  { label: 'look-alike host (storage.reelpost.test.evil.example)', url: 'https://storage.reelpost.test.evil.example/videos/a.mp4', reason: 'not_allowed_prefix' },
  { label: 'localhost', url: `https://localhost:${P}/videos/a.mp4`, reason: 'private_address' },
  { label: 'an allow-listed name that resolves to a private address', url: `https://${machine}:${P}/videos/a.mp4`, reason: 'private_address' },
];

it(`precondition: this machine's name (${machine}) resolves to a non-public address only`, async () => {
  const addresses = await lookup(machine, { all: true });
  expect(addresses.length).toBeGreaterThan(0);
  for (const { address } of addresses) expect(address).toMatch(/^(127\.|10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.|::1$|f[cd])/);
});

describe('tiktok.post refuses every SSRF video URL before any fetch, over tRPC and REST', () => {
  it.each(casesFor(0, 0).map((entry) => entry.label))('%s', async (label) => {
    const entry = casesFor(trap.port, trap6.port).find((candidate) => candidate.label === label)!;
    if (entry.offMachine) assertRefusedWithoutIo(server().runtime, entry.url);
    for (const answer of await postOverBothSurfaces(server(), owner, entry.url)) {
      expect({ status: answer.status, code: answer.code, reason: answer.details?.reason ?? null }).toEqual({
        status: 400,
        code: entry.code ?? 'VIDEO_URL_NOT_ALLOWED',
        reason: entry.reason,
      });
      // The refusal never shows where a name resolved to, nor a URL's credentials.
      expect(answer.text).not.toMatch(/storage\.reelpost\.test(:443)?@/);
    }
  });
});

it('nothing was fetched: no connection reached the listeners the URLs aimed at', () => {
  expect({ loopback: trap.connections(), ipv6Loopback: trap6.connections() }).toEqual({ loopback: 0, ipv6Loopback: 0 });
});

it('TikTok was never called (no creator info, no init) and no post was recorded', async () => {
  expect(await production.emulator().calls()).toBe(0);
  expect(await production.emulator().publishes()).toEqual([]);
  expect(await server().runtime.deps.db.selectFrom('tiktok_posts').select('id').execute()).toEqual([]);
});
