// `@reelpost/api/testing/video-servers`: real local HTTP(S) servers for the video URL guard's tests and the server's
// security suites. They listen on loopback only (port 0), count every connection and request, and close every socket
// when a test ends.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { generate } from 'selfsigned';
import type { ResolveHost } from '../video/request.js';

export interface TestServer {
  readonly port: number;
  /** `http://127.0.0.1:PORT` (or https, or the host it listens on). */
  readonly origin: string;
  /** Every request seen, as `METHOD /path` plus its Range header when there was one. */
  readonly requests: string[];
  /** TCP connections accepted; 0 proves that nothing was sent to this server. */
  connections(): number;
  close(): Promise<void>;
}

export interface TestCertificate {
  key: string;
  cert: string;
}

/** The name the test certificate is issued for; tests make it resolve where they need with {@link resolveTo}. */
export const TEST_HOST = 'videos.example.test';

export async function makeCertificate(): Promise<TestCertificate> {
  const pems = await generate([{ name: 'commonName', value: TEST_HOST }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: TEST_HOST },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

export async function startServer(
  handler: http.RequestListener,
  options: { tls?: TestCertificate; host?: string } = {},
): Promise<TestServer> {
  const host = options.host ?? '127.0.0.1';
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const listener: http.RequestListener = (request, response) => {
    const range = request.headers.range;
    requests.push(`${request.method} ${request.url}${range ? ` ${range}` : ''}`);
    handler(request, response);
  };
  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : http.createServer(listener);
  const track = (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  // Count at the TCP level: a refused address must not even be connected to.
  server.on('connection', track);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface VideoFile {
  body: Buffer;
  contentType?: string | null;
  /** Answer Range requests with 206 (default true). */
  ranges?: boolean;
  /** Status for HEAD instead of answering it (e.g. 405). */
  headStatus?: number;
  /** Leave Content-Length out of HEAD answers. */
  headWithoutLength?: boolean;
}

/** A handler that serves one file the way object storage does: HEAD, GET, single byte ranges. */
export function serveFile(file: VideoFile): http.RequestListener {
  const { body } = file;
  return (request, response) => {
    const headers: http.OutgoingHttpHeaders = {};
    if (file.contentType !== null) headers['content-type'] = file.contentType ?? 'video/mp4';
    if (file.ranges !== false) headers['accept-ranges'] = 'bytes';
    if (request.method === 'HEAD') {
      if (file.headStatus !== undefined) {
        response.writeHead(file.headStatus).end();
        return;
      }
      if (!file.headWithoutLength) headers['content-length'] = body.length;
      response.writeHead(200, headers).end();
      return;
    }
    const match = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
    if (match && file.ranges !== false) {
      const start = Number(match[1]);
      if (start >= body.length) {
        response.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      const end = Math.min(Number(match[2]), body.length - 1);
      headers['content-range'] = `bytes ${start}-${end}/${body.length}`;
      headers['content-length'] = end - start + 1;
      response.writeHead(206, headers).end(body.subarray(start, end + 1));
      return;
    }
    headers['content-length'] = body.length;
    response.writeHead(200, headers).end(body);
  };
}

/** A handler that answers every request with a redirect to `location`. */
export function redirectTo(location: string, status = 302): http.RequestListener {
  return (_request, response) => {
    response.writeHead(status, { location }).end();
  };
}

/** A resolver that answers from a fixed table and fails like DNS for any other name. */
export function resolveTo(table: Record<string, string | string[]>): ResolveHost {
  return async (hostname) => {
    const entry = table[hostname];
    if (entry === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return (Array.isArray(entry) ? entry : [entry]).map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
  };
}

/** Bytes 0..n-1 with a recognisable pattern, so a wrong offset shows. */
export function patternBytes(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = i % 251;
  return bytes;
}

export async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
