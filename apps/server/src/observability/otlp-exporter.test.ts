import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { otlpTraceExporterOf } from './telemetry.js';

/** What a collector received: each export's path, content type and body. */
interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

let collector: Server;
let endpoint: string;
const received: Received[] = [];

beforeAll(async () => {
  collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const contentType = request.headers['content-type'] ?? '';
      received.push({ path: request.url ?? '', contentType, body: Buffer.concat(chunks) });
      // An empty ExportTraceServiceResponse, in the request's own encoding.
      response.writeHead(200, { 'content-type': contentType }).end(contentType === 'application/json' ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

/** Exports one span named `name` with the exporter the variables choose; what the collector got. */
async function exportOneSpan(env: Record<string, string>, name: string): Promise<Received> {
  const exporter = otlpTraceExporterOf(loadConfig(env));
  if (!exporter) throw new Error('no exporter');
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.getTracer('test').startSpan(name).end();
  await provider.shutdown();
  const export_ = received.find((each) => each.body.includes(name));
  if (!export_) throw new Error(`the collector got no span named ${name}`);
  return export_;
}

/** A protobuf base-128 varint, as a length-delimited field's length is written. */
function varint(value: number): Buffer {
  const bytes: number[] = [];
  for (let rest = value; ; rest >>>= 7) {
    if (rest < 0x80) return Buffer.from([...bytes, rest]);
    bytes.push((rest & 0x7f) | 0x80);
  }
}

describe('the OTLP trace exporter', () => {
  it('is none without an endpoint: nothing is exported', () => {
    expect(otlpTraceExporterOf(loadConfig({}))).toBeUndefined();
    expect(otlpTraceExporterOf(loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }))).toBeUndefined();
  });

  it('sends protobuf to <endpoint>/v1/traces when no protocol is set, as the OTLP specification says', async () => {
    const got = await exportOneSpan({ OTEL_EXPORTER_OTLP_ENDPOINT: `${endpoint}/` }, 'span-by-default');
    expect(got).toMatchObject({ path: '/v1/traces', contentType: 'application/x-protobuf' });
    expect(() => JSON.parse(got.body.toString('utf8')) as unknown).toThrow();
  });

  // The protobuf writer is patched (patches/README.md): short ASCII strings are copied in JavaScript, all others
  // measured and encoded natively. Each kind must still arrive as its UTF-8 bytes behind their length.
  it.each([
    ['short ASCII', 'span-short'],
    ['ASCII longer than 127 characters', `span-long-${'x'.repeat(5000)}`],
    ['multi-byte characters', `span-accents-${'é'.repeat(200)}`],
    ['characters outside the Basic Multilingual Plane', `span-emoji-${'😀'.repeat(40)}`],
  ])('encodes a span name of %s as protobuf: its UTF-8 bytes after their length', async (_kind, name) => {
    const got = await exportOneSpan({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, name);
    const utf8 = Buffer.from(name, 'utf8');
    expect(got.body.includes(Buffer.concat([varint(utf8.length), utf8]))).toBe(true);
  });

  it('sends JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json', async () => {
    const got = await exportOneSpan({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'span-as-json');
    expect(got.contentType).toBe('application/json');
    expect(JSON.parse(got.body.toString('utf8'))).toMatchObject({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'span-as-json' }] }] }] });
  });

  it('lets the traces’ own variables win over the general ones', async () => {
    const json = await exportOneSpan(
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/custom/traces`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' },
      'span-traces-json',
    );
    expect(json).toMatchObject({ path: '/custom/traces', contentType: 'application/json' });
    const protobuf = await exportOneSpan(
      { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' },
      'span-traces-protobuf',
    );
    expect(protobuf.contentType).toBe('application/x-protobuf');
  });

  it('refuses a protocol it cannot speak at start-up rather than export nothing', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/protobuf or http\/json/);
  });
});
