import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CollectorStub {
  /** OTEL_EXPORTER_OTLP_ENDPOINT for the traced server. */
  url: string;
  /** What arrived: export requests and their bytes (proof that the traced server did export). */
  received: () => { requests: number; bytes: number };
  close: () => Promise<void>;
}

/**
 * A local OpenTelemetry collector stand-in: accepts OTLP/HTTP exports on /v1/traces, reads and drops them, and
 * answers as a collector does: 200 with an empty ExportTraceServiceResponse in the request's encoding (no bytes in
 * protobuf, `{}` in JSON). The exporter's whole path — batching, encoding (protobuf unless the server is told
 * `http/json`), the HTTP request — runs in the server as it would against a real collector.
 */
export async function startCollectorStub(): Promise<CollectorStub> {
  let requests = 0;
  let bytes = 0;
  const server: Server = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      if (request.url !== '/v1/traces') return void response.writeHead(404).end();
      requests += 1;
      const json = request.headers['content-type'] === 'application/json';
      response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => ({ requests, bytes }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
