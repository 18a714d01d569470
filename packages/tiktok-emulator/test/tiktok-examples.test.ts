import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envelopeSchema, parseTikTokWebhookEvent, planChunks, statusDataSchema } from '@reelpost/tiktok';
import { fixtureVideoDirectory } from '../src/testing/fixtures.js';
import { useEmulator } from './support.js';

// TikTok's own examples (fixtures/tiktok-examples, each with the page it comes from): the client reads every
// response example and builds requests equal to the request examples, field by field.

const examples = join(fixtureVideoDirectory, '..', 'tiktok-examples');
const example = <T>(name: string): T => JSON.parse(readFileSync(join(examples, name), 'utf8')) as T;

interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

const harness = useEmulator();

function recordingClient() {
  const h = harness();
  const sent: Recorded[] = [];
  const client = h.makeClient({
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      sent.push({
        method: init?.method ?? 'GET',
        path: url.pathname,
        headers: Object.fromEntries(new Headers(init?.headers).entries()),
        body: typeof init?.body === 'string' ? init.body : undefined,
      });
      return fetch(input, init);
    },
  });
  return { h, client, sent };
}

describe("TikTok's examples", () => {
  it('Get Post Status: the response example parses, and the request matches field by field', async () => {
    const page = example<{ request: { method: string; path: string; headers: Record<string, string> }; response: { body: unknown } }>('get-post-status.json');
    const envelope = envelopeSchema.parse(page.response.body);
    expect(statusDataSchema.parse(envelope.data)).toEqual({ status: 'FAILED', fail_reason: 'picture_size_check_failed', publicaly_available_post_id: [], uploaded_bytes: 10000 });

    const { h, client, sent } = recordingClient();
    const tokens = await h.connect();
    await client.fetchPostStatus(tokens.accessToken, 'v_pub_url~v2-1.1').catch(() => undefined);
    const request = sent.at(-1)!;
    expect({ method: request.method, path: request.path }).toEqual({ method: page.request.method, path: page.request.path });
    expect(request.headers['content-type']).toBe(page.request.headers['Content-Type']);
    expect(request.headers.authorization).toBe(`Bearer ${tokens.accessToken}`);
    expect(Object.keys(JSON.parse(request.body!) as object)).toEqual(['publish_id']);
  });

  it('Query Creator Info: the request matches the curl example', async () => {
    const page = example<{ request: { method: string; path: string; headers: Record<string, string> } }>('query-creator-info.json');
    const { h, client, sent } = recordingClient();
    const tokens = await h.connect();
    await client.queryCreatorInfo(tokens.accessToken);
    const request = sent.at(-1)!;
    expect({ method: request.method, path: request.path }).toEqual({ method: page.request.method, path: page.request.path });
    expect(request.headers['content-type']).toBe(page.request.headers['Content-Type']);
  });

  it("Media Transfer Guide: the client plans and labels the example file's chunks exactly as the guide does", async () => {
    const page = example<{ videoSize: number; chunkSize: number; totalChunkCount: number; contentRanges: string[] }>('media-transfer-chunks.json');
    const plan = planChunks(page.videoSize, page.chunkSize);
    expect({ chunkSize: plan.chunkSize, totalChunkCount: plan.totalChunkCount }).toEqual({ chunkSize: page.chunkSize, totalChunkCount: page.totalChunkCount });
    expect(plan.chunks.map((chunk) => `bytes ${chunk.start}-${chunk.end}/${page.videoSize}`)).toEqual(page.contentRanges);
  });

  it('Webhook Events: every example payload parses, keeping share_id and the reason', () => {
    const page = example<{ events: unknown[] }>('webhook-events.json');
    const parsed = page.events.map((event) => parseTikTokWebhookEvent(JSON.stringify(event)));
    expect(parsed).toMatchObject([
      { event: 'authorization.removed', content: { reason: 1 }, createTime: 1615338610 },
      { event: 'video.upload.failed', content: { shareId: 'video.6974245311675353080.VDCxrcMJ' } },
    ]);
  });
});
