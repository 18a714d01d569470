import { afterEach, describe, expect, it } from 'vitest';
import { createVideoUrlPolicy, type VideoUrlPolicyInput } from './policy.js';
import { openVideoRange } from './range.js';
import { refusalOf } from '../../test/video-refusal.js';
import {
  collect,
  patternBytes,
  redirectTo,
  resolveTo,
  serveFile,
  startServer,
  TEST_HOST,
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

function localPolicy(storage: TestServer, extra: Partial<VideoUrlPolicyInput> = {}) {
  return createVideoUrlPolicy({
    allowedPrefixes: [`${storage.origin}/videos/`],
    allowHttp: true,
    privateAddressAllowList: ['127.0.0.1'],
    ...extra,
  });
}

const video = patternBytes(1000);

describe('openVideoRange delivers', () => {
  it('exactly the bytes asked for from the middle of the file', async () => {
    const storage = await server(serveFile({ body: video }));
    const range = await openVideoRange(`${storage.origin}/videos/a.mp4`, localPolicy(storage), {
      start: 100,
      end: 299,
    });
    expect(range).toMatchObject({ start: 100, end: 299, totalBytes: 1000, servedContentType: 'video/mp4' });
    expect((await collect(range.body)).equals(video.subarray(100, 300))).toBe(true);
    expect(storage.requests).toEqual(['GET /videos/a.mp4 bytes=100-299']);
  });

  it('the rest of the file when the range asked for runs past its end', async () => {
    const storage = await server(serveFile({ body: video }));
    const range = await openVideoRange(`${storage.origin}/videos/a.mp4`, localPolicy(storage), {
      start: 900,
      end: 1999,
    });
    expect(range).toMatchObject({ start: 900, end: 999 });
    expect((await collect(range.body)).equals(video.subarray(900))).toBe(true);
  });

  it('the first bytes of a server that ignores ranges, when the range starts at 0', async () => {
    const storage = await server(serveFile({ body: video, ranges: false }));
    const range = await openVideoRange(`${storage.origin}/videos/a.mp4`, localPolicy(storage), { start: 0, end: 99 });
    expect(range).toMatchObject({ start: 0, end: 99, totalBytes: 1000 });
    expect((await collect(range.body)).equals(video.subarray(0, 100))).toBe(true);
  });

  it('through a redirect that stays under an allowed prefix', async () => {
    const storage = await server((request, response) => {
      if (request.url === '/videos/old.mp4') redirectTo('/videos/new.mp4', 307)(request, response);
      else serveFile({ body: video })(request, response);
    });
    const range = await openVideoRange(`${storage.origin}/videos/old.mp4`, localPolicy(storage), { start: 0, end: 9 });
    expect((await collect(range.body)).equals(video.subarray(0, 10))).toBe(true);
    expect(storage.requests).toEqual(['GET /videos/old.mp4 bytes=0-9', 'GET /videos/new.mp4 bytes=0-9']);
  });
});

describe('openVideoRange refuses, without contacting the address,', () => {
  it('an allow-listed name that resolves to a private address', async () => {
    const internal = await server(serveFile({ body: video }));
    const prefix = `http://${TEST_HOST}:${internal.port}/videos/`;
    const policy = createVideoUrlPolicy({ allowedPrefixes: [prefix], allowHttp: true });
    const refusal = await refusalOf(() =>
      openVideoRange(
        `${prefix}a.mp4`,
        policy,
        { start: 0, end: 9 },
        { lookup: resolveTo({ [TEST_HOST]: '127.0.0.1' }) },
      ),
    );
    expect(refusal).toMatchObject({ code: 'VIDEO_URL_NOT_ALLOWED', reason: 'private_address' });
    expect(internal.connections()).toBe(0);
  });

  it('a redirect to a private address that is not allow-listed', async () => {
    const internal = await server(serveFile({ body: video }), { host: '127.0.0.2' });
    const storage = await server(redirectTo(`${internal.origin}/videos/a.mp4`));
    const policy = createVideoUrlPolicy({
      allowedPrefixes: [`${storage.origin}/videos/`, `${internal.origin}/videos/`],
      allowHttp: true,
      privateAddressAllowList: ['127.0.0.1'],
    });
    const refusal = await refusalOf(() =>
      openVideoRange(`${storage.origin}/videos/a.mp4`, policy, { start: 0, end: 9 }),
    );
    expect(refusal).toMatchObject({ code: 'VIDEO_URL_NOT_ALLOWED', reason: 'private_address' });
    expect(internal.connections()).toBe(0);
  });

  it('a byte range that makes no sense, with INTERNAL (a caller bug)', async () => {
    const storage = await server(serveFile({ body: video }));
    for (const range of [
      { start: 10, end: 9 },
      { start: -1, end: 9 },
      { start: 0.5, end: 9 },
      { start: 0, end: 4 * 1024 ** 3 },
    ]) {
      expect(
        await refusalOf(() => openVideoRange(`${storage.origin}/videos/a.mp4`, localPolicy(storage), range)),
      ).toMatchObject({
        code: 'INTERNAL',
      });
    }
    expect(storage.connections()).toBe(0);
  });
});

describe('openVideoRange reports VIDEO_URL_UNREACHABLE when', () => {
  it('a server that ignores ranges is asked for bytes after the start', async () => {
    const storage = await server(serveFile({ body: video, ranges: false }));
    const refusal = await refusalOf(() =>
      openVideoRange(`${storage.origin}/videos/a.mp4`, localPolicy(storage), { start: 500, end: 599 }),
    );
    expect(refusal).toMatchObject({ code: 'VIDEO_URL_UNREACHABLE', details: { cause: 'ranges_not_supported' } });
  });

  it('the server answers a different range than the one asked for', async () => {
    const storage = await server((_request, response) => {
      response
        .writeHead(206, { 'content-range': 'bytes 0-99/1000', 'content-length': '100' })
        .end(video.subarray(0, 100));
    });
    const refusal = await refusalOf(() =>
      openVideoRange(`${storage.origin}/videos/a.mp4`, localPolicy(storage), { start: 500, end: 599 }),
    );
    expect(refusal).toMatchObject({ code: 'VIDEO_URL_UNREACHABLE', details: { cause: 'range_mismatch' } });
  });

  it('the range starts past the end of the file', async () => {
    const storage = await server(serveFile({ body: video }));
    const refusal = await refusalOf(() =>
      openVideoRange(`${storage.origin}/videos/a.mp4`, localPolicy(storage), { start: 1000, end: 1099 }),
    );
    expect(refusal).toMatchObject({
      code: 'VIDEO_URL_UNREACHABLE',
      details: { cause: 'range_not_satisfiable', totalBytes: 1000 },
    });
  });

  it('the file is gone', async () => {
    const storage = await server((_request, response) => response.writeHead(404).end());
    const refusal = await refusalOf(() =>
      openVideoRange(`${storage.origin}/videos/a.mp4`, localPolicy(storage), { start: 0, end: 9 }),
    );
    expect(refusal).toMatchObject({ code: 'VIDEO_URL_UNREACHABLE', details: { status: 404 } });
  });
});

describe('openVideoRange errors its body stream with VIDEO_URL_UNREACHABLE when', () => {
  it('the server closes the connection before the end of the range', async () => {
    const storage = await server((_request, response) => {
      response.writeHead(206, { 'content-range': 'bytes 0-199/1000', 'content-length': '200' });
      response.write(video.subarray(0, 50), () => response.destroy());
    });
    const range = await openVideoRange(`${storage.origin}/videos/a.mp4`, localPolicy(storage), { start: 0, end: 199 });
    expect(await refusalOf(() => collect(range.body))).toMatchObject({
      code: 'VIDEO_URL_UNREACHABLE',
      details: { cause: 'ECONNRESET' },
    });
  });

  it('the body ends cleanly but short of the range it announced', async () => {
    const storage = await server((_request, response) => {
      response
        .writeHead(206, { 'content-range': 'bytes 0-199/1000', 'content-length': '50' })
        .end(video.subarray(0, 50));
    });
    const range = await openVideoRange(`${storage.origin}/videos/a.mp4`, localPolicy(storage), { start: 0, end: 199 });
    expect(await refusalOf(() => collect(range.body))).toMatchObject({
      code: 'VIDEO_URL_UNREACHABLE',
      details: { cause: 'ended_early', missingBytes: 150 },
    });
  });

  it('the whole read takes longer than the read time limit', async () => {
    const storage = await server((_request, response) => {
      response.writeHead(206, { 'content-range': 'bytes 0-199/1000', 'content-length': '200' });
      response.write(video.subarray(0, 10));
    });
    const policy = localPolicy(storage, { readTimeoutMs: 50 });
    const range = await openVideoRange(`${storage.origin}/videos/a.mp4`, policy, { start: 0, end: 199 });
    expect(await refusalOf(() => collect(range.body))).toMatchObject({
      code: 'VIDEO_URL_UNREACHABLE',
      details: { cause: 'timeout' },
    });
  });

  it('the server stops sending for longer than the idle limit', async () => {
    const storage = await server((_request, response) => {
      response.writeHead(206, { 'content-range': 'bytes 0-199/1000', 'content-length': '200' });
      response.write(video.subarray(0, 10));
    });
    const policy = localPolicy(storage, { timeoutMs: 50 });
    const range = await openVideoRange(`${storage.origin}/videos/a.mp4`, policy, { start: 0, end: 199 });
    expect(await refusalOf(() => collect(range.body))).toMatchObject({
      code: 'VIDEO_URL_UNREACHABLE',
      details: { cause: 'idle' },
    });
  });
});

describe('openVideoRange', () => {
  it('closes the connection when the reader stops early', async () => {
    let closed!: Promise<void>;
    const storage = await server((request, response) => {
      closed = new Promise((resolve) => request.socket.on('close', () => resolve()));
      response.writeHead(206, { 'content-range': 'bytes 0-999/1000', 'content-length': '1000' });
      response.write(video.subarray(0, 10));
    });
    const range = await openVideoRange(`${storage.origin}/videos/a.mp4`, localPolicy(storage), { start: 0, end: 999 });
    for await (const chunk of range.body) {
      expect(chunk).toHaveLength(10);
      break;
    }
    await closed;
    expect(range.body.destroyed).toBe(true);
  });
});
