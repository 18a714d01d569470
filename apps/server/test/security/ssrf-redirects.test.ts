import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFile, startServer, type TestServer } from '@reelpost/api/testing/video-servers';
import { demoMediaDirectory } from '../../src/paths.js';
import { seedAccount, seedOwner, useProductionLikeServer } from './production.js';
import { assertRefusedWithoutIo, postOverBothSurfaces, postVideoUrl, type SsrfCase } from './ssrf.js';

// An allow-listed storage host that redirects to private addresses. Production's https-only policy cannot be
// reached here (no certificate a test host could present is trusted), so this suite runs the one policy a staging
// server with a local storage host would: http allowed, private addresses refused except that one host's address
// (127.0.0.2, VIDEO_URL_PRIVATE_ALLOW_LIST), its /videos/ prefix verified. Everything else is production's.
// Every redirect target must be refused before it is connected to: the listeners they aim at count connections (0),
// the storage host answers each redirect exactly once, and TikTok gets exactly one init — the control's.

const machine = hostname();
const STORAGE_HOST = '127.0.0.2';
let storage: TestServer;
let trap: TestServer;
let trap6: TestServer;
const redirects = new Map<string, string>();

beforeAll(async () => {
  trap = await startServer((_request, response) => response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': '10' }).end('not video!'));
  trap6 = await startServer((_request, response) => response.writeHead(200).end(), { host: '::1' });
  const video = serveFile({ body: readFileSync(`${demoMediaDirectory}/sample-360x640-4s.mp4`), contentType: 'video/mp4' });
  storage = await startServer(
    (request: IncomingMessage, response: ServerResponse) => {
      const location = redirects.get(request.url ?? '');
      if (location !== undefined) return void response.writeHead(302, { location }).end();
      if (request.url === '/videos/ok.mp4') return video(request, response);
      response.writeHead(404).end();
    },
    { host: STORAGE_HOST },
  );
});
afterAll(async () => {
  for (const server of [storage, trap, trap6]) await server?.close();
});

const prefix = () => `http://${STORAGE_HOST}:${storage.port}/videos/`;
const staging = useProductionLikeServer({
  env: () => ({ VIDEO_URL_PREFIXES: prefix(), VIDEO_URL_ALLOW_HTTP: 'true', VIDEO_URL_PRIVATE_ALLOW_LIST: STORAGE_HOST }),
});
const server = () => staging.server();

let owner: { instanceId: string; token: string };
beforeAll(async () => {
  await staging.emulator().configureApp({ verifiedUrlPrefixes: [prefix()] });
  const { runtime } = server();
  const seeded = await seedOwner(runtime.deps.db, 'oidc|redirects');
  await seedAccount(runtime.deps, staging.emulator(), seeded.instanceId);
  owner = { instanceId: seeded.instanceId, token: await staging.userToken('oidc|redirects') };
});

/** Where the storage host's /videos/r/<n>.mp4 redirects to (T on 127.0.0.1, T6 on ::1, S the storage port). */
const targetsFor = (T: number, T6: number, S: number): SsrfCase[] => [
  { label: '127.0.0.1', url: `http://127.0.0.1:${T}/videos/a.mp4`, reason: 'private_address' },
  { label: '[::1]', url: `http://[::1]:${T6}/videos/a.mp4`, reason: 'private_address' },
  // With an allow-list the localhost name rule steps aside for the prefix check, which refuses it just the same.
  { label: 'localhost', url: `http://localhost:${T}/videos/a.mp4`, reason: 'not_allowed_prefix' },
  { label: '0.0.0.0', url: `http://0.0.0.0:${T}/videos/a.mp4`, reason: 'private_address' },
  { label: '169.254.169.254 (cloud metadata)', url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/', reason: 'private_address', offMachine: true },
  { label: '10.0.0.1', url: 'http://10.0.0.1/videos/a.mp4', reason: 'private_address', offMachine: true },
  { label: 'decimal 127.0.0.1', url: `http://2130706433:${T}/videos/a.mp4`, reason: 'private_address' },
  { label: 'octal 127.0.0.1', url: `http://0177.0.0.1:${T}/videos/a.mp4`, reason: 'private_address' },
  { label: 'hex 127.0.0.1', url: `http://0x7f000001:${T}/videos/a.mp4`, reason: 'private_address' },
  { label: 'IPv4-mapped IPv6', url: `http://[::ffff:127.0.0.1]:${T}/videos/a.mp4`, reason: 'private_address' },
  { label: 'protocol-relative //127.0.0.1', url: `//127.0.0.1:${T}/videos/a.mp4`, reason: 'private_address' },
  { label: 'a name resolving to a private address', url: `http://${machine}:${T}/videos/a.mp4`, reason: 'not_allowed_prefix' },
  { label: 'user@host', url: `http://${STORAGE_HOST}:${S}@127.0.0.1:${T}/videos/a.mp4`, reason: 'credentials' },
  { label: 'the same host outside the verified prefix', url: `http://${STORAGE_HOST}:${S}/private/a.mp4`, reason: 'not_allowed_prefix' },
  { label: 'file://', url: 'file:///etc/passwd', reason: 'scheme' },
  { label: 'gopher://', url: `gopher://127.0.0.1:${T}/_GET%20/`, reason: 'scheme' },
];

describe('an allow-listed host redirecting to a private address: refused at the hop, nothing behind it fetched', () => {
  it.each(targetsFor(0, 0, 0).map((entry, index) => ({ label: entry.label, index })))('→ $label', async ({ index }) => {
    const target = targetsFor(trap.port, trap6.port, storage.port)[index]!;
    if (target.offMachine) assertRefusedWithoutIo(server().runtime, target.url);
    const path = `/videos/r/${index}.mp4`;
    redirects.set(path, target.url);
    const before = storage.requests.length;
    for (const answer of await postOverBothSurfaces(server(), owner, `${prefix()}r/${index}.mp4`)) {
      expect({ status: answer.status, code: answer.code, reason: answer.details?.reason, from: answer.details?.redirectedFrom }).toEqual({
        status: 400,
        code: 'VIDEO_URL_NOT_ALLOWED',
        reason: target.reason,
        from: `http://${STORAGE_HOST}:${storage.port}${path}`,
      });
    }
    // One HEAD per surface reached the storage host: the redirect was read, never followed.
    expect(storage.requests.slice(before)).toEqual([`HEAD ${path}`, `HEAD ${path}`]);
  });

  it('a chain of allowed hops ending at a private address is refused at the last hop', async () => {
    redirects.set('/videos/chain/1.mp4', `${prefix()}chain/2.mp4`);
    redirects.set('/videos/chain/2.mp4', `http://127.0.0.1:${trap.port}/videos/a.mp4`);
    const answer = await postVideoUrl(server(), 'rest', owner, `${prefix()}chain/1.mp4`);
    expect({ status: answer.status, code: answer.code, reason: answer.details?.reason }).toEqual({ status: 400, code: 'VIDEO_URL_NOT_ALLOWED', reason: 'private_address' });
  });

  it('control: the storage host’s real video is posted (so the refusals above are the guard’s, not the setup’s)', async () => {
    const answer = await postVideoUrl(server(), 'rest', owner, `${prefix()}ok.mp4`);
    expect(answer.status).toBe(200);
    expect(await staging.emulator().calls({ endpoint: 'video.init' })).toBe(1);
  });

  it('nothing behind a redirect was fetched: no connection reached the listeners, nothing outside the prefix was asked for', () => {
    expect({ loopback: trap.connections(), ipv6Loopback: trap6.connections() }).toEqual({ loopback: 0, ipv6Loopback: 0 });
    expect(storage.requests.filter((request) => !request.includes(' /videos/'))).toEqual([]);
  });

  it('TikTok got one init in all — the control’s', async () => {
    expect(await staging.emulator().calls({ endpoint: 'video.init' })).toBe(1);
    expect(await staging.emulator().calls({ endpoint: 'inbox.video.init' })).toBe(0);
    const posts = await server().runtime.deps.db.selectFrom('tiktok_posts').select('video_url').execute();
    expect(posts).toEqual([{ video_url: `${prefix()}ok.mp4` }]);
  });
});
