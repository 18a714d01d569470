import net from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVideoUrlPolicy, type VideoUrlPolicyInput } from './policy.js';
import { probeVideoUrl } from './probe.js';
import { refusalOf } from '../../test/video-refusal.js';
import {
  makeCertificate,
  patternBytes,
  redirectTo,
  resolveTo,
  serveFile,
  startServer,
  TEST_HOST,
  type TestCertificate,
  type TestServer,
} from '../testing/video-servers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const started = await startServer(...args);
  servers.push(started);
  return started;
}

/** The test setup's policy: its own loopback prefixes allow-listed explicitly, 127.0.0.1 the one private address. */
function localPolicy(prefixes: string[], extra: Partial<VideoUrlPolicyInput> = {}) {
  return createVideoUrlPolicy({
    allowedPrefixes: prefixes,
    allowHttp: true,
    privateAddressAllowList: ['127.0.0.1'],
    ...extra,
  });
}

const video = patternBytes(1000);

describe('probeVideoUrl reports', () => {
  it('size, type and range support from a single HEAD', async () => {
    const storage = await server(serveFile({ body: video }));
    const probe = await probeVideoUrl(`${storage.origin}/videos/a.mp4`, localPolicy([`${storage.origin}/videos/`]));
    expect(probe).toEqual({
      finalUrl: `${storage.origin}/videos/a.mp4`,
      sizeBytes: 1000,
      contentType: 'video/mp4',
      servedContentType: 'video/mp4',
      acceptsRanges: true,
    });
    expect(storage.requests).toEqual(['HEAD /videos/a.mp4']);
  });

  it('the size from a one-byte range GET when HEAD is refused', async () => {
    const storage = await server(serveFile({ body: video, headStatus: 405 }));
    const probe = await probeVideoUrl(`${storage.origin}/videos/a.mp4`, localPolicy([`${storage.origin}/videos/`]));
    expect(probe).toMatchObject({ sizeBytes: 1000, acceptsRanges: true });
    expect(storage.requests).toEqual(['HEAD /videos/a.mp4', 'GET /videos/a.mp4 bytes=0-0']);
  });

  it('the size from a one-byte range GET when HEAD leaves it out', async () => {
    const storage = await server(serveFile({ body: video, headWithoutLength: true }));
    const probe = await probeVideoUrl(`${storage.origin}/videos/a.mp4`, localPolicy([`${storage.origin}/videos/`]));
    expect(probe.sizeBytes).toBe(1000);
  });

  it('an unknown size (null) and no range support when the server tells neither', async () => {
    const storage = await server((request, response) => {
      response.writeHead(200, { 'content-type': 'video/mp4' });
      response.end(request.method === 'HEAD' ? undefined : video);
    });
    const probe = await probeVideoUrl(`${storage.origin}/videos/a.mp4`, localPolicy([`${storage.origin}/videos/`]));
    expect(probe).toMatchObject({ sizeBytes: null, acceptsRanges: false });
  });

  it('the final URL after a redirect that stays under an allowed prefix', async () => {
    const storage = await server((request, response) => {
      if (request.url === '/videos/old.mp4') redirectTo('/videos/new.mp4', 301)(request, response);
      else serveFile({ body: video })(request, response);
    });
    const probe = await probeVideoUrl(`${storage.origin}/videos/old.mp4`, localPolicy([`${storage.origin}/videos/`]));
    expect(probe.finalUrl).toBe(`${storage.origin}/videos/new.mp4`);
    expect(storage.requests).toEqual(['HEAD /videos/old.mp4', 'HEAD /videos/new.mp4']);
  });

  it('video/mp4 for application/octet-stream served under a .mp4 name', async () => {
    const storage = await server(serveFile({ body: video, contentType: 'application/octet-stream' }));
    const probe = await probeVideoUrl(`${storage.origin}/videos/a.MP4`, localPolicy([`${storage.origin}/videos/`]));
    expect(probe).toMatchObject({ contentType: 'video/mp4', servedContentType: 'application/octet-stream' });
  });

  it('video/quicktime for a .mov served with no content type', async () => {
    const storage = await server(serveFile({ body: video, contentType: null }));
    const probe = await probeVideoUrl(`${storage.origin}/videos/a.mov`, localPolicy([`${storage.origin}/videos/`]));
    expect(probe).toMatchObject({ contentType: 'video/quicktime', servedContentType: null });
  });

  it('a video type with parameters as the bare type', async () => {
    const storage = await server(serveFile({ body: video, contentType: 'Video/WebM; codecs="vp9"' }));
    const probe = await probeVideoUrl(`${storage.origin}/videos/a`, localPolicy([`${storage.origin}/videos/`]));
    expect(probe.contentType).toBe('video/webm');
  });

  it('a https server whose certificate the given CA trusts', async () => {
    const certificate = await makeCertificate();
    const storage = await server(serveFile({ body: video }), { tls: certificate });
    const url = `https://${TEST_HOST}:${storage.port}/videos/a.mp4`;
    const probe = await probeVideoUrl(url, localPolicy([`https://${TEST_HOST}:${storage.port}/videos/`]), {
      lookup: resolveTo({ [TEST_HOST]: '127.0.0.1' }),
      ca: certificate.cert,
    });
    expect(probe).toMatchObject({ finalUrl: url, sizeBytes: 1000 });
  });
});

describe('probeVideoUrl refuses, without contacting the address,', () => {
  it('an allow-listed name that resolves to a private address', async () => {
    const internal = await server(serveFile({ body: video }));
    const prefix = `http://${TEST_HOST}:${internal.port}/videos/`;
    const policy = createVideoUrlPolicy({ allowedPrefixes: [prefix], allowHttp: true });
    const refusal = await refusalOf(() =>
      probeVideoUrl(`${prefix}a.mp4`, policy, { lookup: resolveTo({ [TEST_HOST]: '127.0.0.1' }) }),
    );
    expect(refusal).toMatchObject({
      code: 'VIDEO_URL_NOT_ALLOWED',
      reason: 'private_address',
      details: { range: 'loopback' },
    });
    expect(refusal.message).not.toContain('127.0.0.1');
    expect(internal.connections()).toBe(0);
  });

  it('a name that resolves to several addresses when any one of them is private', async () => {
    const internal = await server(serveFile({ body: video }), { host: '127.0.0.2' });
    const prefix = `http://${TEST_HOST}:${internal.port}/videos/`;
    const refusal = await refusalOf(() =>
      probeVideoUrl(`${prefix}a.mp4`, localPolicy([prefix]), {
        lookup: resolveTo({ [TEST_HOST]: ['127.0.0.1', '127.0.0.2'] }),
      }),
    );
    expect(refusal).toMatchObject({ code: 'VIDEO_URL_NOT_ALLOWED', reason: 'private_address' });
    expect(internal.connections()).toBe(0);
  });

  it('an allow-listed host that redirects to a private address', async () => {
    const internal = await server(serveFile({ body: video }), { host: '127.0.0.2' });
    const storage = await server(redirectTo(`${internal.origin}/videos/a.mp4`));
    const policy = localPolicy([`${storage.origin}/videos/`, `${internal.origin}/videos/`]);
    const refusal = await refusalOf(() => probeVideoUrl(`${storage.origin}/videos/a.mp4`, policy));
    expect(refusal).toMatchObject({
      code: 'VIDEO_URL_NOT_ALLOWED',
      reason: 'private_address',
      details: { redirectedFrom: `${storage.origin}/videos/a.mp4` },
    });
    expect(internal.connections()).toBe(0);
  });

  it('an allow-listed host that redirects to a name resolving to a private address', async () => {
    const internal = await server(serveFile({ body: video }), { host: '127.0.0.2' });
    const target = `http://${TEST_HOST}:${internal.port}/videos/a.mp4`;
    const storage = await server(redirectTo(target));
    const policy = localPolicy([`${storage.origin}/videos/`, `http://${TEST_HOST}:${internal.port}/videos/`]);
    const refusal = await refusalOf(() =>
      probeVideoUrl(`${storage.origin}/videos/a.mp4`, policy, { lookup: resolveTo({ [TEST_HOST]: '127.0.0.2' }) }),
    );
    expect(refusal).toMatchObject({ code: 'VIDEO_URL_NOT_ALLOWED', reason: 'private_address' });
    expect(internal.connections()).toBe(0);
  });

  it('an allow-listed host that redirects off the allow-list', async () => {
    const elsewhere = await server(serveFile({ body: video }));
    const storage = await server(redirectTo(`${elsewhere.origin}/videos/a.mp4`));
    const refusal = await refusalOf(() =>
      probeVideoUrl(`${storage.origin}/videos/a.mp4`, localPolicy([`${storage.origin}/videos/`])),
    );
    expect(refusal).toMatchObject({ code: 'VIDEO_URL_NOT_ALLOWED', reason: 'not_allowed_prefix' });
    expect(elsewhere.connections()).toBe(0);
  });

  it('a https URL that redirects to http', async () => {
    const certificate = await makeCertificate();
    const plain = await server(serveFile({ body: video }));
    const storage = await server(redirectTo(`http://127.0.0.1:${plain.port}/videos/a.mp4`), { tls: certificate });
    const policy = createVideoUrlPolicy({
      allowedPrefixes: [`${storage.origin}/videos/`],
      privateAddressAllowList: ['127.0.0.1'],
    });
    const refusal = await refusalOf(() =>
      probeVideoUrl(`${storage.origin}/videos/a.mp4`, policy, { ca: certificate.cert }),
    );
    expect(refusal).toMatchObject({ code: 'VIDEO_URL_NOT_ALLOWED', reason: 'scheme' });
    expect(plain.connections()).toBe(0);
  });

  it('a redirect whose Location is not a URL', async () => {
    const storage = await server(redirectTo('http://[::1'));
    const refusal = await refusalOf(() =>
      probeVideoUrl(`${storage.origin}/videos/a.mp4`, localPolicy([`${storage.origin}/videos/`])),
    );
    expect(refusal).toMatchObject({ code: 'VIDEO_URL_NOT_ALLOWED', reason: 'redirect' });
  });

  it('any URL checkVideoUrl refuses, before a request', async () => {
    const storage = await server(serveFile({ body: video }));
    const refusal = await refusalOf(() =>
      probeVideoUrl(`${storage.origin}/other/a.mp4`, localPolicy([`${storage.origin}/videos/`])),
    );
    expect(refusal).toMatchObject({ code: 'VIDEO_URL_NOT_ALLOWED', reason: 'not_allowed_prefix' });
    expect(storage.connections()).toBe(0);
  });
});

describe('probeVideoUrl refuses the file', () => {
  it('served as something other than a video (text/html)', async () => {
    const storage = await server(serveFile({ body: video, contentType: 'text/html; charset=utf-8' }));
    const refusal = await refusalOf(() =>
      probeVideoUrl(`${storage.origin}/videos/a.mp4`, localPolicy([`${storage.origin}/videos/`])),
    );
    expect(refusal).toMatchObject({
      code: 'VIDEO_URL_NOT_ALLOWED',
      reason: 'content_type',
      details: { servedContentType: 'text/html' },
    });
  });

  it('served as application/octet-stream under a name that is not a video', async () => {
    const storage = await server(serveFile({ body: video, contentType: 'application/octet-stream' }));
    const refusal = await refusalOf(() =>
      probeVideoUrl(`${storage.origin}/videos/a.bin`, localPolicy([`${storage.origin}/videos/`])),
    );
    expect(refusal).toMatchObject({ code: 'VIDEO_URL_NOT_ALLOWED', reason: 'content_type' });
  });

  it('over TikTok’s 4 GB with VIDEO_TOO_LARGE', async () => {
    const storage = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(5 * 1024 ** 3) }).end();
    });
    const refusal = await refusalOf(() =>
      probeVideoUrl(`${storage.origin}/videos/a.mp4`, localPolicy([`${storage.origin}/videos/`])),
    );
    expect(refusal).toMatchObject({
      code: 'VIDEO_TOO_LARGE',
      details: { sizeBytes: 5 * 1024 ** 3, maxBytes: 4 * 1024 ** 3 },
    });
    expect(refusal.message).toBe('The video is 5.0 GB; TikTok accepts at most 4.0 GB.');
  });

  it('over a configured smaller maximum', async () => {
    const storage = await server(serveFile({ body: video }));
    const refusal = await refusalOf(() =>
      probeVideoUrl(`${storage.origin}/videos/a.mp4`, localPolicy([`${storage.origin}/videos/`], { maxBytes: 999 })),
    );
    expect(refusal).toMatchObject({ code: 'VIDEO_TOO_LARGE', details: { sizeBytes: 1000, maxBytes: 999 } });
  });

  it('that is empty', async () => {
    const storage = await server(serveFile({ body: Buffer.alloc(0) }));
    const refusal = await refusalOf(() =>
      probeVideoUrl(`${storage.origin}/videos/a.mp4`, localPolicy([`${storage.origin}/videos/`])),
    );
    expect(refusal).toMatchObject({ code: 'VIDEO_URL_NOT_ALLOWED', reason: 'empty' });
  });
});

describe('probeVideoUrl reports VIDEO_URL_UNREACHABLE, never a raw network error, when', () => {
  const unreachable = async (url: string, policy = localPolicy([`${new URL(url).origin}/videos/`]), options = {}) => {
    const refusal = await refusalOf(() => probeVideoUrl(url, policy, options));
    expect(refusal.code).toBe('VIDEO_URL_UNREACHABLE');
    expect(refusal.hint).toBeTruthy();
    return refusal;
  };

  it('the file is not found', async () => {
    const storage = await server((_request, response) => response.writeHead(404).end());
    expect((await unreachable(`${storage.origin}/videos/a.mp4`)).details).toMatchObject({ status: 404 });
  });

  it('access is refused to HEAD and GET alike', async () => {
    const storage = await server((_request, response) => response.writeHead(403).end());
    const refusal = await unreachable(`${storage.origin}/videos/a.mp4`);
    expect(refusal.hint).toContain('publicly readable');
    expect(storage.requests).toEqual(['HEAD /videos/a.mp4', 'GET /videos/a.mp4 bytes=0-0']);
  });

  it('the storage answers 503', async () => {
    const storage = await server((_request, response) => response.writeHead(503).end());
    expect((await unreachable(`${storage.origin}/videos/a.mp4`)).details).toMatchObject({ status: 503 });
  });

  it('redirects go on longer than the policy allows', async () => {
    const storage = await server(redirectTo('/videos/a.mp4'));
    const policy = localPolicy([`${storage.origin}/videos/`], { maxRedirects: 2 });
    expect((await unreachable(`${storage.origin}/videos/a.mp4`, policy)).details).toMatchObject({ maxRedirects: 2 });
    expect(storage.requests).toHaveLength(3);
  });

  it('a redirect has no Location', async () => {
    const storage = await server((_request, response) => response.writeHead(302).end());
    expect((await unreachable(`${storage.origin}/videos/a.mp4`)).details).toMatchObject({ status: 302 });
  });

  it('nothing listens on the port', async () => {
    const gone = await startServer(serveFile({ body: video }));
    await gone.close();
    expect((await unreachable(`${gone.origin}/videos/a.mp4`)).details).toMatchObject({ cause: 'ECONNREFUSED' });
  });

  it('the host name does not resolve', async () => {
    const url = `http://${TEST_HOST}/videos/a.mp4`;
    const refusal = await unreachable(url, localPolicy([`http://${TEST_HOST}/videos/`]), { lookup: resolveTo({}) });
    expect(refusal.details).toMatchObject({ cause: 'ENOTFOUND' });
  });

  it('the server does not answer within the time limit', async () => {
    const storage = await server(() => undefined);
    const policy = localPolicy([`${storage.origin}/videos/`], { timeoutMs: 50 });
    expect((await unreachable(`${storage.origin}/videos/a.mp4`, policy)).details).toMatchObject({ cause: 'timeout' });
  });

  it('the caller cancels', async () => {
    const storage = await server(serveFile({ body: video }));
    const refusal = await unreachable(`${storage.origin}/videos/a.mp4`, undefined, { signal: AbortSignal.abort() });
    expect(refusal.details).toMatchObject({ cause: 'cancelled' });
  });

  it('the server speaks something other than HTTP', async () => {
    const sockets: net.Socket[] = [];
    const garbage = net.createServer((socket) => {
      sockets.push(socket);
      socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n');
    });
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    const { port } = garbage.address() as net.AddressInfo;
    try {
      const refusal = await unreachable(`http://127.0.0.1:${port}/videos/a.mp4`);
      expect(String(refusal.details.cause)).toMatch(/^HPE_/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => garbage.close(resolve));
    }
  });

  it('a https server presents a certificate no trusted authority signed', async () => {
    const certificate = await makeCertificate();
    const storage = await server(serveFile({ body: video }), { tls: certificate });
    const refusal = await unreachable(`${storage.origin}/videos/a.mp4`);
    expect(refusal.message).toContain('trusted TLS certificate');
  });
});

describe('probeVideoUrl with a test certificate', () => {
  let certificate: TestCertificate;
  beforeAll(async () => {
    certificate = await makeCertificate();
  });

  it('refuses a https host whose certificate names another host', async () => {
    const storage = await server(serveFile({ body: video }), { tls: certificate });
    const prefix = `https://other.example.test:${storage.port}/videos/`;
    const refusal = await refusalOf(() =>
      probeVideoUrl(`${prefix}a.mp4`, localPolicy([prefix]), {
        lookup: resolveTo({ 'other.example.test': '127.0.0.1' }),
        ca: certificate.cert,
      }),
    );
    expect(refusal).toMatchObject({
      code: 'VIDEO_URL_UNREACHABLE',
      details: { cause: 'ERR_TLS_CERT_ALTNAME_INVALID' },
    });
  });
});
